using System.Globalization;
using System.Text;

namespace MoneyKitBridge.Bench;

/// <summary>A plain-text table printed to the console: a header row and right-aligned cells.</summary>
public sealed class ResultTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public void Add(params object[] cells) =>
        rows.Add([.. cells.Select(Format)]);

    public void Print(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Select(r => i < r.Length ? r[i].Length : 0).DefaultIfEmpty(0).Max())).ToArray();
        output.WriteLine(Line(headers, widths));
        output.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            output.WriteLine(Line(row, widths));
        }

        output.WriteLine();
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("No values.", nameof(values));
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string Format(object cell) => cell switch
    {
        double d when Math.Abs(d) >= 100 => d.ToString("N0", CultureInfo.InvariantCulture),
        double d when Math.Abs(d) >= 1 => d.ToString("0.0", CultureInfo.InvariantCulture),
        double d => d.ToString("0.000", CultureInfo.InvariantCulture),
        TimeSpan t => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + " s",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? string.Empty,
    };

    private static string Line(string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < widths.Length; i++)
        {
            if (i > 0)
            {
                line.Append(" | ");
            }

            var cell = i < cells.Length ? cells[i] : string.Empty;
            line.Append(i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]));
        }

        return line.ToString();
    }
}

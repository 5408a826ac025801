using System.Globalization;

namespace MoneyKitBridge.Bench.Http;

/// <summary>One target: a measured ratio and its bound.</summary>
/// <param name="Name">Short id, e.g. <c>issue7.warm.p99</c>.</param>
/// <param name="Description">What is divided by what.</param>
/// <param name="Ratio">The measured ratio.</param>
/// <param name="AtMost">True for an upper bound (ratio ≤ bound), false for a lower bound (ratio ≥ bound).</param>
/// <param name="Bound">The target.</param>
internal sealed record RatioCheck(string Name, string Description, double Ratio, bool AtMost, double Bound)
{
    public bool Pass => AtMost ? Ratio <= Bound : Ratio >= Bound;
}

/// <summary>Prints the result table and the RATIO lines.</summary>
internal static class Report
{
    public static void Table(string title, IEnumerable<LoadResult> rows)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"scenario",-52} {"ops",8} {"errors",7} {"ops/s",9} {"p50 ms",8} {"p99 ms",8}"));
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Name,-52} {r.Operations,8} {r.Errors,7} {r.PerSecond,9:F0} {r.P50Ms,8:F2} {r.P99Ms,8:F2}"));
        }
    }

    public static void Line(string text) => Console.WriteLine(text);

    public static void Ratio(RatioCheck check)
    {
        var op = check.AtMost ? "<=" : ">=";
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"RATIO {check.Name} {check.Description} = {check.Ratio:F3} (target {op} {check.Bound:F2}) {(check.Pass ? "PASS" : "FAIL")}"));
    }
}

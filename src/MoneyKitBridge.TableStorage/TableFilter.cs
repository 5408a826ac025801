using System.Globalization;
using System.Text;

namespace MoneyKitBridge.TableStorage;

/// <summary>
/// Builds an OData <c>$filter</c> from an interpolated string whose holes are values, never text:
/// <c>TableFilter.Create($"PartitionKey eq {pk} and Amount gt {100L}")</c>. Strings are quoted with embedded
/// quotes doubled; Int64, DateTime, Guid, bool and binary get their typed literals.
/// </summary>
public static class TableFilter
{
    /// <summary>Formats the filter with every argument as a typed OData literal.</summary>
    public static string Create(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var args = filter.GetArguments().Select(Literal).ToArray();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, args);
    }

    /// <summary>One value as an OData literal.</summary>
    public static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset dto => "datetime'" + dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + "'",
        DateTime dt => Literal(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime())),
        Guid g => "guid'" + g.ToString("D") + "'",
        byte[] bytes => "X'" + Convert.ToHexString(bytes).ToLowerInvariant() + "'",
        _ => throw new ArgumentException($"Values of type {value.GetType().Name} cannot be used in a table filter."),
    };

    /// <summary>Range filter for keys starting with <paramref name="prefix"/> on <paramref name="property"/>.</summary>
    public static string StartsWith(string property, string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var upper = new StringBuilder(prefix);
        upper[^1] = (char)(upper[^1] + 1);
        return $"{property} ge {Literal(prefix)} and {property} lt {Literal(upper.ToString())}";
    }
}

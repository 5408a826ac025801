using System.Globalization;
using MoneyKit.Sandbox.Api;

namespace MoneyKit.Sandbox.Users;

/// <summary>
/// The query parameters of MoneyKit's user endpoints as its published clients send them: repeatable lists
/// (<c>name=a&amp;name=b</c>, also <c>name[]</c> and comma lists), <c>page</c> ≥ 1, <c>size</c> 1..500 (default 50),
/// <c>start_date</c>/<c>end_date</c> (YYYY-MM-DD; end defaults to today, start to end − 90 days).
/// </summary>
internal static class UserQuery
{
    public const int MaxSize = 500;

    /// <summary>The values of a repeatable parameter; null when absent or empty.</summary>
    public static HashSet<string>? List(IQueryCollection query, string name)
    {
        var ids = query[name].Concat(query[name + "[]"])
            .SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);
        return ids.Count == 0 ? null : ids;
    }

    public static bool TryInt(IQueryCollection query, string name, int fallback, int min, int max, out int value, out ErrorResult? error)
    {
        value = fallback;
        error = null;
        var values = query[name];
        if (values.Count == 0)
        {
            return true;
        }

        if (values.Count == 1 && int.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        error = ErrorResult.QueryValidation(name, $"{name} must be an integer between {min} and {max}.");
        return false;
    }

    public static bool TryDate(IQueryCollection query, string name, DateOnly fallback, out DateOnly value, out ErrorResult? error)
    {
        value = fallback;
        error = null;
        var values = query[name];
        if (values.Count == 0)
        {
            return true;
        }

        if (values.Count == 1 && DateOnly.TryParseExact(values[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value))
        {
            return true;
        }

        error = ErrorResult.QueryValidation(name, $"{name} must be a date formatted YYYY-MM-DD.");
        return false;
    }
}

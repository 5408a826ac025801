using System.Globalization;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Transactions;

/// <summary>
/// Reads the seed's query parameters: <c>account_ids</c> (repeatable, also <c>account_ids[]</c> and comma lists),
/// <c>page</c> (≥ 1, default 1), <c>size</c> (1..100, default 50), <c>start_date</c>/<c>end_date</c> (YYYY-MM-DD;
/// end defaults to today, start to end − 90 days; present but empty is invalid). Every problem is reported, not only the first.
/// </summary>
public static class TransactionQueryParser
{
    public const int MaxSize = 100;
    private const int MaxValueLength = 200;
    private const int MaxAccountIds = 100;
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal) { "account_ids", "account_ids[]", "page", "size", "start_date", "end_date" };

    public static (TransactionQuery? Query, IResult? Error) Parse(IQueryCollection query, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new List<ValidationError>();
        foreach (var (key, values) in query)
        {
            if (!Known.Contains(key))
            {
                continue; // MoneyKit ignores parameters it does not know; so do we.
            }

            if (values.Any(v => v is { Length: > MaxValueLength }))
            {
                errors.Add(Error(key, $"{key} is too long.", "value_error.any_str.max_length"));
            }
            else if (values.Count > 1 && key is not ("account_ids" or "account_ids[]"))
            {
                errors.Add(Error(key, $"{key} may be given only once.", "value_error.duplicate"));
            }
        }

        if (errors.Count > 0)
        {
            return (null, ApiErrorResults.Validation(errors));
        }

        var page = Integer(query, "page", 1, 1, 1_000_000, errors);
        var size = Integer(query, "size", TransactionQuery.DefaultSize, 1, MaxSize, errors);
        var end = Date(query, "end_date", today, errors);
        var start = Date(query, "start_date", end.AddDays(-90), errors);
        if (errors.Count == 0 && start > end)
        {
            errors.Add(Error("start_date", "start_date must not be after end_date.", "value_error"));
        }

        var accountIds = query["account_ids"].Concat(query["account_ids[]"])
            .SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);
        if (accountIds.Count > MaxAccountIds)
        {
            errors.Add(Error("account_ids", $"At most {MaxAccountIds} account ids may be given.", "value_error.list.max_items"));
        }

        return errors.Count > 0
            ? (null, ApiErrorResults.Validation(errors))
            : (new TransactionQuery(accountIds.Count == 0 ? null : accountIds, start, end, page, size), null);
    }

    private static int Integer(IQueryCollection query, string name, int fallback, int min, int max, List<ValidationError> errors)
    {
        // Absent means the default; present but empty is invalid (as MoneyKit answers). Sign and surrounding spaces
        // are accepted, as MoneyKit's parser accepts them.
        if (!query.TryGetValue(name, out var values))
        {
            return fallback;
        }

        if (!int.TryParse(values.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            errors.Add(Error(name, $"{name} must be an integer between {min} and {max}.", "value_error.number"));
            return fallback;
        }

        return value;
    }

    private static DateOnly Date(IQueryCollection query, string name, DateOnly fallback, List<ValidationError> errors)
    {
        if (!query.TryGetValue(name, out var values))
        {
            return fallback;
        }

        if (!DateOnly.TryParseExact(values.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            errors.Add(Error(name, $"{name} must be a date formatted YYYY-MM-DD.", "value_error.date"));
            return fallback;
        }

        return value;
    }

    private static ValidationError Error(string field, string message, string type) => new(["query", field], message, type);
}

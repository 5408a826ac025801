using System.Globalization;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Transactions;

/// <summary>
/// Reads the seed's query parameters: <c>account_ids</c> (repeatable, also <c>account_ids[]</c> and comma lists),
/// <c>page</c> (≥ 1, default 1), <c>size</c> (1..100, default 50), <c>start_date</c>/<c>end_date</c> (YYYY-MM-DD;
/// end defaults to today, start to end − 90 days; present but empty is invalid). Every problem is reported, not only the first.
/// A link's list served in 2023-12-14 (<see cref="ParseCursorPaged"/>) is paged by <c>cursor</c> instead of <c>page</c>
/// (absent or empty: the first page; <c>page</c> is then an unknown parameter) with <c>size</c> 1..500.
/// </summary>
public static class TransactionQueryParser
{
    public const int MaxSize = 100;
    private const int MaxValueLength = 200;
    private const int MaxAccountIds = 100;
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal) { "account_ids", "account_ids[]", "size", "start_date", "end_date" };

    /// <summary>The page-paged query (2023-02-18's list, and the user's transactions).</summary>
    public static (TransactionQuery? Query, IResult? Error) Parse(IQueryCollection query, DateOnly today) => Parse(query, today, cursorLinkId: null);

    /// <summary>The cursor-paged query of <paramref name="linkId"/>'s list (2023-12-14): the cursor becomes <see cref="TransactionQuery.Offset"/>.</summary>
    public static (TransactionQuery? Query, IResult? Error) ParseCursorPaged(IQueryCollection query, DateOnly today, string linkId)
    {
        ArgumentNullException.ThrowIfNull(linkId);
        return Parse(query, today, linkId);
    }

    /// <summary>
    /// The page-paged query of a user's transactions (MoneyKit's <c>get_user_transactions</c>: <c>size</c> 1..500),
    /// adding its problems to <paramref name="errors"/>; null when there are any.
    /// </summary>
    public static TransactionQuery? ReadUserQuery(IQueryCollection query, DateOnly today, List<ValidationError> errors) =>
        Read(query, today, cursorLinkId: null, TransactionQuery.MaxSize, errors);

    private static (TransactionQuery? Query, IResult? Error) Parse(IQueryCollection query, DateOnly today, string? cursorLinkId)
    {
        var errors = new List<ValidationError>();
        var parsed = Read(query, today, cursorLinkId, cursorLinkId is null ? MaxSize : TransactionQuery.MaxSize, errors);
        return errors.Count > 0 ? (null, ApiErrorResults.Validation(errors)) : (parsed, null);
    }

    private static TransactionQuery? Read(IQueryCollection query, DateOnly today, string? cursorLinkId, int maxSize, List<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(errors);
        var cursorPaged = cursorLinkId is not null;
        var before = errors.Count;
        foreach (var (key, values) in query)
        {
            if (!Known.Contains(key) && key != (cursorPaged ? "cursor" : "page"))
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

        if (errors.Count > before)
        {
            return null;
        }

        var page = cursorPaged ? 1 : Integer(query, "page", 1, 1, 1_000_000, errors);
        var size = Integer(query, "size", TransactionQuery.DefaultSize, 1, maxSize, errors);
        int? offset = null;
        if (cursorPaged && query["cursor"].ToString() is { Length: > 0 } cursor)
        {
            if (TransactionListCursor.TryDecode(cursor, cursorLinkId!, out var position))
            {
                offset = position;
            }
            else
            {
                errors.Add(Error("cursor", "cursor is not a cursor of this link's transactions.", "value_error"));
            }
        }

        var end = Date(query, "end_date", today, errors);
        var start = Date(query, "start_date", end.AddDays(-90), errors);
        if (errors.Count == before && start > end)
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

        return errors.Count > before
            ? null
            : new TransactionQuery(accountIds.Count == 0 ? null : accountIds, start, end, page, size) { Offset = offset ?? (cursorPaged ? 0 : null) };
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

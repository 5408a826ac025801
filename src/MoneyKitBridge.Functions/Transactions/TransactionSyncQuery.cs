using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Transactions;

/// <summary>
/// The query of <c>GET /api/links/{link_id}/transactions/sync</c>, as MoneyKit defines it: <c>cursor</c> (optional; absent
/// or empty reads from the start) and <c>size</c> (1..500, default 50). Invalid input answers MoneyKit's 422
/// <c>api_error.request.validation_failed</c> naming the parameter.
/// </summary>
public sealed record TransactionSyncQuery(FeedPosition From, int Size)
{
    public static bool TryParse(
        IQueryCollection query,
        string linkId,
        [NotNullWhen(true)] out TransactionSyncQuery? value,
        [NotNullWhen(false)] out IResult? error)
    {
        ArgumentNullException.ThrowIfNull(query);
        value = null;
        error = null;
        var errors = new List<ValidationError>();
        var size = LinkChangeFeed.DefaultPageSize;
        if (query.TryGetValue("size", out var sizes))
        {
            if (sizes.Count > 1)
            {
                errors.Add(Error("size", "size may be given only once.", "value_error.duplicate"));
            }
            else if (!int.TryParse(sizes.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out size) || size < 1 || size > LinkChangeFeed.MaxPageSize)
            {
                errors.Add(Error("size", $"size must be an integer between 1 and {LinkChangeFeed.MaxPageSize}.", "value_error.number"));
            }
        }

        var from = FeedPosition.Start;
        if (query.TryGetValue("cursor", out var cursors))
        {
            if (cursors.Count > 1)
            {
                errors.Add(Error("cursor", "cursor may be given only once.", "value_error.duplicate"));
            }
            else if (cursors.ToString() is { Length: > 0 } cursor)
            {
                if (FeedCursor.TryDecode(cursor, linkId, out var position))
                {
                    from = position.Value;
                }
                else
                {
                    errors.Add(Error("cursor", "cursor is not a cursor of this link's transactions/sync.", "value_error"));
                }
            }
        }

        if (errors.Count > 0)
        {
            error = ApiErrorResults.Validation(errors);
            return false;
        }

        value = new TransactionSyncQuery(from, size);
        return true;
    }

    private static ValidationError Error(string field, string message, string type) => new(["query", field], message, type);
}

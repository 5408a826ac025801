using System.Globalization;
using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Control;
using MoneyKit.Sandbox.Data;
using MoneyKit.Sandbox.Links;

namespace MoneyKit.Sandbox.Transactions;

/// <summary>
/// <c>GET /links/{id}/transactions</c> (paged by <c>page</c> in 2023-02-18, by <c>cursor</c> from 2023-12-14) and
/// <c>GET /links/{id}/transactions/sync</c>.
/// </summary>
internal static class TransactionEndpoints
{
    public static void MapTransactionEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/links/{id}/transactions", ListTransactions);
        api.MapGet("/links/{id}/transactions/sync", SyncTransactions);
    }

    private static IResult ListTransactions(string id, HttpContext context, LinkRegistry links, TimeProvider time)
    {
        var (link, error) = LinkAccess.Find(links, context, id);
        if (error is not null)
        {
            return error;
        }

        var query = context.Request.Query;
        var legacy = ApiVersions.IsLegacy(context);
        var page = 1;
        var offset = 0;
        if (legacy && (!TryInt(query["page"], 1, out page) || page < 1))
        {
            return ErrorResult.QueryValidation("page", "page must be an integer >= 1.");
        }

        if (!legacy && query["cursor"].FirstOrDefault() is { Length: > 0 } listCursor)
        {
            if (!LinkCursor.TryDecode(listCursor, LinkCursor.List, link!.Id, out var position) || position > int.MaxValue)
            {
                return ErrorResult.QueryValidation("cursor", "cursor is not a cursor of this link.");
            }

            offset = (int)position;
        }

        var maxSize = legacy ? 100 : 500;
        if (!TryInt(query["size"], 50, out var size) || size < 1 || size > maxSize)
        {
            return ErrorResult.QueryValidation("size", $"size must be an integer between 1 and {maxSize}.");
        }

        if (!TryDate(query["end_date"], DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), out var endDate))
        {
            return ErrorResult.QueryValidation("end_date", "end_date must be a date formatted YYYY-MM-DD.");
        }

        if (!TryDate(query["start_date"], endDate.AddDays(-90), out var startDate))
        {
            return ErrorResult.QueryValidation("start_date", "start_date must be a date formatted YYYY-MM-DD.");
        }

        if (startDate > endDate)
        {
            return ErrorResult.QueryValidation("start_date", "start_date must not be after end_date.");
        }

        var accountIds = query["account_ids"].Concat(query["account_ids[]"])
            .SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);

        lock (link!.Gate)
        {
            if (LinkAccess.CheckReadable(link, SandboxProducts.Transactions) is { } notReadable)
            {
                return notReadable;
            }

            var matching = link.Transactions.NewestFirst()
                .Where(t => t.Date >= startDate && t.Date <= endDate && (accountIds.Count == 0 || accountIds.Contains(t.AccountId)))
                .ToList();
            var skip = legacy ? (int)Math.Min(int.MaxValue, (long)(page - 1) * size) : offset;
            var pageItems = matching.Skip(skip).Take(size).Select(t => t.ToWire()).ToList();
            var accounts = link.Accounts.Where(a => accountIds.Count == 0 || accountIds.Contains(a.Id)).Select(a => a.ToWire()).ToList();
            if (!legacy)
            {
                var next = skip + pageItems.Count < matching.Count ? LinkCursor.Encode(LinkCursor.List, link.Id, skip + pageItems.Count) : null;
                return TypedResults.Json(
                    new TransactionsCursorResponse(pageItems, accounts, link.ToWire(), new PageCursorWire(next)),
                    SandboxJsonContext.Default.TransactionsCursorResponse);
            }

            return TypedResults.Json(
                new TransactionsPageResponse(matching.Count, page, pageItems.Count, pageItems, accounts, link.ToWire()),
                SandboxJsonContext.Default.TransactionsPageResponse);
        }
    }

    private static IResult SyncTransactions(string id, HttpContext context, LinkRegistry links)
    {
        var (link, error) = LinkAccess.Find(links, context, id);
        if (error is not null)
        {
            return error;
        }

        var query = context.Request.Query;
        if (!TryInt(query["size"], 50, out var size) || size is < 1 or > 500)
        {
            return ErrorResult.QueryValidation("size", "size must be an integer between 1 and 500.");
        }

        long after = 0;
        var cursor = query["cursor"].FirstOrDefault();
        lock (link!.Gate)
        {
            // A cursor issued before the link's cursors were expired (sandbox control) is refused like an unknown one.
            if (!string.IsNullOrEmpty(cursor) && !LinkCursor.TryDecode(cursor, LinkCursor.SyncKind(link.CursorEpoch), link.Id, out after))
            {
                return ErrorResult.QueryValidation("cursor", "cursor is not a cursor of this link.");
            }

            if (LinkAccess.CheckReadable(link, SandboxProducts.Transactions) is { } notReadable)
            {
                return notReadable;
            }

            if (after > link.Transactions.Sequence)
            {
                return ErrorResult.QueryValidation("cursor", "cursor is not a cursor of this link.");
            }

            var batch = link.Transactions.ChangesAfter(after, size);
            var next = LinkCursor.Encode(LinkCursor.SyncKind(link.CursorEpoch), link.Id, batch.Next);
            RequestLogNote.Set(context, new RequestLogNote(NextCursor: next, HasMore: batch.HasMore));
            return TypedResults.Json(
                new SyncResponse(
                    new SyncTransactionsWire([.. batch.Created.Select(t => t.ToWire())], [.. batch.Updated.Select(t => t.ToWire())], batch.Removed),
                    [.. link.Accounts.Select(a => a.ToWire())],
                    new CursorWire(next),
                    batch.HasMore,
                    link.ToWire()),
                SandboxJsonContext.Default.SyncResponse);
        }
    }

    private static bool TryInt(Microsoft.Extensions.Primitives.StringValues values, int fallback, out int value)
    {
        value = fallback;
        return values.Count == 0 || int.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryDate(Microsoft.Extensions.Primitives.StringValues values, DateOnly fallback, out DateOnly value)
    {
        value = fallback;
        return values.Count == 0 || DateOnly.TryParseExact(values[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }
}

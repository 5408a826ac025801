using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Transactions;

/// <summary>
/// <c>GET /api/links/{link_id}/transactions/sync</c>: the bridge's own change feed with MoneyKit's sync contract
/// (<c>transactions.created/updated/removed</c>, <c>accounts</c>, <c>cursor.next</c>, <c>has_more</c>, <c>link</c>),
/// served from the snapshot. Beyond MoneyKit, pending transactions a refresh replaced are listed in <c>removed</c>.
/// </summary>
public static class TransactionSyncEndpoints
{
    public static IEndpointRouteBuilder MapTransactionSyncEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapBridgeRoute(BridgeRoutes.SyncLinkTransactions, SyncLinkTransactionsAsync);
        return endpoints;
    }

    internal static async Task<IResult> SyncLinkTransactionsAsync(string link_id, HttpContext context, LinkSnapshotReader reader, LinkChangeFeed feed)
    {
        // The link first, as MoneyKit answers: a cursor is only valid for a link it knows.
        var state = await reader.GetStateAsync(link_id, context.RequestAborted);
        if (LinkErrors.CheckReadable(state, "transactions") is { } notReadable)
        {
            return notReadable;
        }

        if (!TransactionSyncQuery.TryParse(context.Request.Query, link_id, out var query, out var error))
        {
            return error;
        }

        var page = await feed.ReadAsync(state!, query.From, query.Size, context.RequestAborted);
        return page.Status switch
        {
            ChangeFeedStatus.CursorExpired => ApiErrorResults.Create(
                StatusCodes.Status400BadRequest,
                ApiErrorCodes.CursorExpired,
                "This cursor is older than the removed transactions the bridge keeps. Start over: call without a cursor and replace your copy of the link's transactions."),
            ChangeFeedStatus.CursorUnknown => ApiErrorResults.Validation([new ValidationError(["query", "cursor"], "cursor is not a cursor of this link's transactions/sync.", "value_error")]),
            _ => Render(link_id, state!, page),
        };
    }

    private static RawJsonResult Render(string linkId, Core.Storage.LinkState state, ChangePage page) =>
        new(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("transactions");
            RawJsonResult.WriteRawArray(writer, "created", page.Created.Select(c => c.Json));
            RawJsonResult.WriteRawArray(writer, "updated", page.Updated.Select(c => c.Json));
            writer.WriteStartArray("removed");
            foreach (var removed in page.Removed)
            {
                writer.WriteStringValue(removed.TransactionId);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            RawJsonResult.WriteRawArray(writer, "accounts", page.Accounts.Select(a => a.Json));
            writer.WriteStartObject("cursor");
            writer.WriteString("next", FeedCursor.Encode(linkId, page.Next));
            writer.WriteEndObject();
            writer.WriteBoolean("has_more", page.HasMore);
            writer.WritePropertyName("link");
            writer.WriteRawValue(CurrentLink.Json(state) ?? "null", skipInputValidation: true);
            writer.WriteEndObject();
        });
}

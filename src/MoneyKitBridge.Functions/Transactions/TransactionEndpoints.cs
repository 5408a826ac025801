using System.Text.Json;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Transactions;

/// <summary>
/// <c>GET /api/links/{link_id}/transactions</c> (the seed's contract) and <c>GET /api/users/{user_id}/transactions</c>,
/// both served from the stored snapshot — never from MoneyKit.
/// </summary>
public static class TransactionEndpoints
{
    public static IEndpointRouteBuilder MapTransactionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapBridgeRoute(BridgeRoutes.GetLinkTransactions, GetLinkTransactionsAsync);
        endpoints.MapBridgeRoute(BridgeRoutes.GetUserTransactions, GetUserTransactionsAsync);
        return endpoints;
    }

    internal static async Task<IResult> GetLinkTransactionsAsync(string link_id, HttpContext context, LinkSnapshotReader reader, TransactionPageCache pages, TimeProvider time)
    {
        if (!LinkErrors.CouldBeLinkId(link_id))
        {
            return LinkErrors.NotFound(); // checked inline, not with LinkIdFilter: this is the hot route
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var (query, error) = TransactionQueryParser.Parse(context.Request.Query, today);
        if (error is not null)
        {
            return error;
        }

        var state = await reader.GetStateAsync(link_id, context.RequestAborted);
        if (LinkErrors.CheckReadable(state, "transactions") is { } notReadable)
        {
            return notReadable;
        }

        var key = TransactionPageCache.KeyOf(link_id, state!.ETag.ToString(), today, context.Request.QueryString.Value);
        if (!pages.TryGet(key, out var body))
        {
            var snapshot = await reader.GetAsync(state, context.RequestAborted);
            var page = query!.Apply(snapshot.Transactions);
            var accounts = snapshot.Accounts.Where(a => query.AccountIds is null || query.AccountIds.Contains(a.AccountId)).Select(a => a.Json);
            body = RawJsonResult.Render(writer =>
            {
                writer.WriteStartObject();
                WritePage(writer, page, accounts);
                writer.WritePropertyName("link");
                writer.WriteRawValue(CurrentLink.Json(snapshot.State) ?? "null", skipInputValidation: true);
                writer.WriteEndObject();
            });
            pages.Add(key, body);
        }

        return TypedResults.Bytes(body, "application/json; charset=utf-8");
    }

    internal static async Task<IResult> GetUserTransactionsAsync(string user_id, HttpContext context, LinkSnapshotReader reader, LinkLifecycle lifecycle, TimeProvider time)
    {
        var (query, error) = TransactionQueryParser.Parse(context.Request.Query, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        if (error is not null)
        {
            return error;
        }

        var snapshots = new List<LinkSnapshot>();
        foreach (var linkId in await lifecycle.GetUserLinkIdsAsync(user_id, context.RequestAborted))
        {
            var state = await reader.GetStateAsync(linkId, context.RequestAborted);
            if (LinkErrors.CheckReadable(state, "transactions") is null)
            {
                snapshots.Add(await reader.GetAsync(state!, context.RequestAborted));
            }
        }

        var merged = snapshots.SelectMany(s => s.Transactions).ToList();
        merged.Sort(LinkSnapshot.CompareNewestFirst);
        var page = query!.Apply(merged);
        return new RawJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            WritePage(writer, page, snapshots.SelectMany(s => s.Accounts).Where(a => query.AccountIds is null || query.AccountIds.Contains(a.AccountId)).Select(a => a.Json));
            RawJsonResult.WriteRawArray(writer, "links", snapshots.Select(s => CurrentLink.Json(s.State) ?? "null"));
            writer.WriteEndObject();
        });
    }

    /// <summary>The seed's page fields: <c>total</c>, <c>page</c>, <c>size</c> (items in this page), <c>transactions</c>, <c>accounts</c>.</summary>
    private static void WritePage(Utf8JsonWriter writer, TransactionPage page, IEnumerable<string> accountsJson)
    {
        writer.WriteNumber("total", page.Total);
        writer.WriteNumber("page", page.Page);
        writer.WriteNumber("size", page.Transactions.Count);
        RawJsonResult.WriteRawArray(writer, "transactions", page.Transactions.Select(t => t.Json));
        RawJsonResult.WriteRawArray(writer, "accounts", accountsJson);
    }
}

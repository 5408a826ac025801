using System.Text.Json;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Transactions;

/// <summary>
/// <c>GET /api/links/{link_id}/transactions</c> (the seed's contract) and <c>GET /api/users/{user_id}/transactions</c>,
/// both served from the stored snapshot — never from MoneyKit. A link's list is paged by <c>page</c> with totals in
/// 2023-02-18 and by <c>cursor</c> without totals in 2023-12-14 (<see cref="ApiVersions"/>); the user's list is the
/// same in both.
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
        var version = ApiVersions.Of(context);
        var legacy = version == ApiVersions.V20230218;
        var (query, error) = legacy
            ? TransactionQueryParser.Parse(context.Request.Query, today)
            : TransactionQueryParser.ParseCursorPaged(context.Request.Query, today, link_id);
        if (error is not null)
        {
            return error;
        }

        var state = await reader.GetStateAsync(link_id, context.RequestAborted);
        if (LinkErrors.CheckReadable(state, "transactions") is { } notReadable)
        {
            return notReadable;
        }

        var key = TransactionPageCache.KeyOf(link_id, state!.ETag.ToString(), today, version, context.Request.QueryString.Value);
        if (!pages.TryGet(key, out var body))
        {
            var snapshot = await reader.GetAsync(state, context.RequestAborted);
            var page = query!.Apply(snapshot.Transactions);
            var accounts = snapshot.Accounts.Where(a => query.AccountIds is null || query.AccountIds.Contains(a.AccountId)).Select(a => a.Json);
            body = RawJsonResult.Render(writer =>
            {
                writer.WriteStartObject();
                if (legacy)
                {
                    WritePage(writer, page, accounts);
                }
                else
                {
                    RawJsonResult.WriteRawArray(writer, "transactions", page.Transactions.Select(t => t.Json));
                    RawJsonResult.WriteRawArray(writer, "accounts", accounts);
                }

                writer.WritePropertyName("link");
                writer.WriteRawValue(CurrentLink.Json(snapshot.State) ?? "null", skipInputValidation: true);
                if (!legacy)
                {
                    WriteNextCursor(writer, link_id, query, page);
                }

                writer.WriteEndObject();
            });
            pages.Add(key, body);
        }

        return TypedResults.Bytes(body, "application/json; charset=utf-8");
    }

    /// <summary>
    /// MoneyKit's <c>GetUserTransactionsResponse</c>: <c>total</c>, <c>page</c>, <c>size</c>, <c>transactions</c> and
    /// <c>accounts</c> keyed by account id (<c>BasicAccountDetails</c>: name, last_synced_at, institution_id, link_id);
    /// also the user's <c>links</c>. Query and filters: <see cref="UserTransactionQuery"/>.
    /// </summary>
    internal static async Task<IResult> GetUserTransactionsAsync(string user_id, HttpContext context, LinkSnapshotReader reader, LinkLifecycle lifecycle, TimeProvider time)
    {
        if (!UserTransactionQuery.TryParse(context.Request.Query, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), out var parsed, out var error))
        {
            return error;
        }

        var (query, institutionIds) = parsed;
        var snapshots = new List<LinkSnapshot>();
        foreach (var linkId in await lifecycle.GetUserLinkIdsAsync(user_id, context.RequestAborted))
        {
            var state = await reader.GetStateAsync(linkId, context.RequestAborted);
            if (LinkErrors.CheckReadable(state, "transactions") is null
                && (institutionIds is null || institutionIds.Contains(state!.Link?.InstitutionId ?? string.Empty)))
            {
                snapshots.Add(await reader.GetAsync(state!, context.RequestAborted));
            }
        }

        var merged = snapshots.SelectMany(s => s.Transactions).ToList();
        merged.Sort(LinkSnapshot.CompareNewestFirst);
        var page = query.Apply(merged);
        return new RawJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("total", page.Total);
            writer.WriteNumber("page", page.Page);
            writer.WriteNumber("size", page.Transactions.Count);
            RawJsonResult.WriteRawArray(writer, "transactions", page.Transactions.Select(t => t.Json));
            writer.WriteStartObject("accounts");
            foreach (var snapshot in snapshots)
            {
                foreach (var account in snapshot.Accounts.Where(a => query.AccountIds is null || query.AccountIds.Contains(a.AccountId)))
                {
                    WriteBasicAccount(writer, account, snapshot.State);
                }
            }

            writer.WriteEndObject();
            RawJsonResult.WriteRawArray(writer, "links", snapshots.Select(s => CurrentLink.Json(s.State) ?? "null"));
            writer.WriteEndObject();
        });
    }

    /// <summary>MoneyKit's <c>BasicAccountDetails</c> of one account, under its account id.</summary>
    private static void WriteBasicAccount(Utf8JsonWriter writer, StoredAccount account, Core.Storage.LinkState state)
    {
        using var json = JsonDocument.Parse(account.Json);
        writer.WriteStartObject(account.AccountId);
        writer.WriteString("name", json.RootElement.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : string.Empty);
        var synced = state.LastSyncAt ?? state.Link?.LastSyncedAt;
        if (synced is { } at)
        {
            writer.WriteString("last_synced_at", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNull("last_synced_at");
        }

        writer.WriteString("institution_id", state.Link?.InstitutionId ?? string.Empty);
        writer.WriteString("link_id", state.LinkId);
        writer.WriteEndObject();
    }

    /// <summary>2023-12-14's <c>cursor</c> (<c>CursorPagination</c>): where the next page starts, null on the last page.</summary>
    private static void WriteNextCursor(Utf8JsonWriter writer, string linkId, TransactionQuery query, TransactionPage page)
    {
        var end = (query.Offset ?? 0) + page.Transactions.Count;
        writer.WriteStartObject("cursor");
        if (page.Transactions.Count > 0 && end < page.Total)
        {
            writer.WriteString("next", TransactionListCursor.Encode(linkId, end));
        }
        else
        {
            writer.WriteNull("next");
        }

        writer.WriteEndObject();
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

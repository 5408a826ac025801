using System.Text.Json.Nodes;
using MoneyKitBridge.Core.Products;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.LinkProducts;

/// <summary>
/// <c>GET /api/links/{link_id}/accounts/numbers</c> and <c>GET /api/links/{link_id}/identity</c>: the link's stored
/// account numbers and owners, read from the snapshot (fetched by the sync engine, never per read) and stored in
/// MoneyKit's 2023-02-18 shapes. Numbers are answered in the served version's shape (<see cref="ApiVersions"/>): on each
/// account in 2023-02-18, in a top-level <c>numbers</c> naming their account in 2023-12-14; identity is the same in
/// both. Before the first fetch every account is listed with empty numbers or owners, as MoneyKit lists a product it
/// has not fetched yet.
/// </summary>
public static class LinkProductEndpoints
{
    public static IEndpointRouteBuilder MapLinkProductEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapBridgeRoute(BridgeRoutes.GetLinkAccountNumbers, GetAccountNumbersAsync);
        endpoints.MapBridgeRoute(BridgeRoutes.GetLinkIdentity, GetIdentityAsync);
        return endpoints;
    }

    /// <summary>MoneyKit's <c>GetAccountNumbersResponseLegacy20230218</c> (2023-02-18) or <c>GetAccountNumbersResponse</c> (2023-12-14).</summary>
    internal static Task<IResult> GetAccountNumbersAsync(string link_id, HttpContext context, LinkSnapshotReader reader, ProductDataReader products) =>
        GetAsync(link_id, SensitiveProducts.AccountNumbers, context, reader, products);

    /// <summary>MoneyKit's <c>IdentityResponse</c>.</summary>
    internal static Task<IResult> GetIdentityAsync(string link_id, HttpContext context, LinkSnapshotReader reader, ProductDataReader products) =>
        GetAsync(link_id, SensitiveProducts.Identity, context, reader, products);

    private static async Task<IResult> GetAsync(string linkId, string product, HttpContext context, LinkSnapshotReader reader, ProductDataReader products)
    {
        var state = await reader.GetStateAsync(linkId, context.RequestAborted);
        if (LinkErrors.CheckReadable(state, product) is { } notReadable)
        {
            return notReadable;
        }

        IEnumerable<string> accounts;
        if (await products.GetAsync(linkId, product, context.RequestAborted) is { } stored)
        {
            accounts = stored.Select(a => a.Json);
        }
        else
        {
            var snapshot = await reader.GetAsync(state!, context.RequestAborted);
            accounts = snapshot.Accounts.Select(a => NotFetched(a.Json, product));
        }

        var numbersOnTop = product == SensitiveProducts.AccountNumbers && !ApiVersions.IsLegacy(context);
        return new RawJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            if (numbersOnTop)
            {
                AccountNumbersShape.WriteTopLevel(writer, accounts);
            }
            else
            {
                RawJsonResult.WriteRawArray(writer, "accounts", accounts);
            }

            writer.WritePropertyName("link");
            writer.WriteRawValue(CurrentLink.Json(state!) ?? "null", skipInputValidation: true);
            writer.WriteEndObject();
        });
    }

    /// <summary>An account as MoneyKit lists it before the product's first fetch: no numbers, no owners.</summary>
    private static string NotFetched(string accountJson, string product)
    {
        var account = JsonNode.Parse(accountJson)!.AsObject();
        if (product == SensitiveProducts.AccountNumbers)
        {
            account["numbers"] = new JsonObject { ["ach"] = new JsonArray(), ["bacs"] = new JsonArray(), ["eft"] = new JsonArray(), ["international"] = new JsonArray() };
        }
        else
        {
            account["owners"] = new JsonArray();
        }

        return account.ToJsonString();
    }
}

using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Core.Products;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.LinkProducts;

/// <summary>Worker mode: account numbers and identity, calling the handlers standalone mode maps.</summary>
public sealed class LinkProductFunctions(LinkSnapshotReader reader, ProductDataReader products)
{
    [Function(BridgeRoutes.GetLinkAccountNumbers)]
    public Task<IResult> GetLinkAccountNumbersAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetLinkAccountNumbersRoute)] HttpRequest request,
        string link_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LinkProductEndpoints.GetAccountNumbersAsync(link_id, request.HttpContext, reader, products);
    }

    [Function(BridgeRoutes.GetLinkIdentity)]
    public Task<IResult> GetLinkIdentityAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetLinkIdentityRoute)] HttpRequest request,
        string link_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LinkProductEndpoints.GetIdentityAsync(link_id, request.HttpContext, reader, products);
    }
}

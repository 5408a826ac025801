using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Core.Operations;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Operations;

/// <summary>Worker mode: the operator view, calling the handlers standalone mode maps.</summary>
public sealed class OpsFunctions(LinkHealthReader reader, LinkResync resync)
{
    [Function(BridgeRoutes.GetOpsLinks)]
    public Task<IResult> GetOpsLinksAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetOpsLinksRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return OpsEndpoints.GetLinksAsync(request.HttpContext, reader);
    }

    [Function(BridgeRoutes.GetOpsLink)]
    public Task<IResult> GetOpsLinkAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetOpsLinkRoute)] HttpRequest request,
        string link_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return OpsEndpoints.GetLinkAsync(link_id, request.HttpContext, reader);
    }

    [Function(BridgeRoutes.ResyncOpsLink)]
    public Task<IResult> ResyncOpsLinkAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Post, Route = BridgeRoutes.ResyncOpsLinkRoute)] HttpRequest request,
        string link_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return OpsEndpoints.ResyncLinkAsync(link_id, request.HttpContext, resync);
    }

    [Function(BridgeRoutes.GetOpsPage)]
    public static IResult GetOpsPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetOpsPageRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return OpsEndpoints.GetPage(request.HttpContext);
    }
}

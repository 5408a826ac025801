using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Links;

/// <summary>Worker mode: the link functions. Each calls the handler that standalone mode maps on the same route.</summary>
public sealed class LinkFunctions(LinkSnapshotReader reader, LinkLifecycle lifecycle, OnDemandRefresh refresh)
{
    [Function(BridgeRoutes.GetLink)]
    public Task<IResult> GetLinkAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetLinkRoute)] HttpRequest request,
        string link_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LinkEndpoints.GetLinkAsync(link_id, reader, request.HttpContext);
    }

    [Function(BridgeRoutes.GetLinkAccounts)]
    public Task<IResult> GetLinkAccountsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetLinkAccountsRoute)] HttpRequest request,
        string link_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LinkEndpoints.GetAccountsAsync(link_id, reader, request.HttpContext);
    }

    [Function(BridgeRoutes.RefreshLinkProducts)]
    public Task<IResult> RefreshLinkProductsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Post, Route = BridgeRoutes.RefreshLinkProductsRoute)] HttpRequest request,
        string link_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LinkEndpoints.RefreshProductsAsync(link_id, request.HttpContext, reader, refresh);
    }

    [Function(BridgeRoutes.DeleteLink)]
    public Task<IResult> DeleteLinkAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Delete, Route = BridgeRoutes.DeleteLinkRoute)] HttpRequest request,
        string link_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LinkEndpoints.DeleteLinkAsync(link_id, lifecycle, request.HttpContext);
    }

    [Function(BridgeRoutes.GetUserLinks)]
    public Task<IResult> GetUserLinksAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetUserLinksRoute)] HttpRequest request,
        string user_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LinkEndpoints.GetUserLinksAsync(user_id, lifecycle, reader, request.HttpContext);
    }
}

using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Functions.LinkSessions;

/// <summary>Worker mode: link session and token exchange, calling the handlers standalone mode maps.</summary>
public sealed class LinkSessionFunctions(
    MoneyKitClient moneyKit,
    LinkSnapshotReader reader,
    LinkLifecycle lifecycle,
    BackgroundSyncScheduler syncs,
    TimeProvider time,
    IOptions<BridgeLinkOptions> options)
{
    [Function(BridgeRoutes.CreateLinkSession)]
    public Task<IResult> CreateLinkSessionAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Post, Route = BridgeRoutes.CreateLinkSessionRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LinkSessionEndpoints.CreateAsync(request.HttpContext, moneyKit, reader, options);
    }

    [Function(BridgeRoutes.ExchangeLinkSessionToken)]
    public Task<IResult> ExchangeLinkSessionTokenAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Post, Route = BridgeRoutes.ExchangeLinkSessionTokenRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LinkSessionEndpoints.ExchangeAsync(request.HttpContext, moneyKit, lifecycle, syncs, time, options);
    }
}

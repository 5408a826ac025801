using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Products;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Telemetry;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// Applies verified MoneyKit webhooks exactly once and in order, each with one atomic write in the link's
/// <c>linkstates</c> partition: the event's deduplication record (an event row, <see cref="WebhookEventRows"/>,
/// inserted only if absent, or for a state change that applied, its entry on the state row) together with the event's
/// effect, so a second delivery is a <see cref="WebhookOutcome.Duplicate"/> and changes nothing.
/// This class dispatches by event type:
/// <list type="bullet">
/// <item><c>link.state_changed</c> → the link's lane (<see cref="StateChangeLanes"/>);</item>
/// <item><c>link.product_refresh</c> → the product's row (<see cref="ProductRefreshRows"/>), and when account numbers
/// or identity completed a refresh, a coalesced background sync that fetches them;</item>
/// <item><c>transactions.updates_available</c> → the event row, then a coalesced background sync
/// (<see cref="BackgroundSyncScheduler"/>);</item>
/// <item>anything else → the event row only.</item>
/// </list>
/// A crash or a storage failure before the commit leaves nothing behind (MoneyKit's retry processes the event);
/// after it, the event is settled.
/// </summary>
public sealed class WebhookProcessor : IAsyncDisposable
{
    private readonly LinkStateStore states;
    private readonly BackgroundSyncScheduler syncs;
    private readonly TimeProvider time;
    private readonly ILogger<WebhookProcessor> logger;
    private readonly WebhookEventRows events;
    private readonly ProductRefreshRows products;
    private readonly StateChangeLanes lanes;
    private readonly DeferredEventRows history;

    public WebhookProcessor(BridgeTables tables, LinkStateStore states, LinkLifecycle lifecycle, BackgroundSyncScheduler syncs, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(options);
        this.states = states;
        this.syncs = syncs;
        this.time = time;
        this.logger = logger;
        events = new WebhookEventRows(tables, time, options.Value);
        products = new ProductRefreshRows(tables);
        history = new DeferredEventRows(tables, logger);
        lanes = new StateChangeLanes(new StateChangeTransaction(states, events, history, lifecycle, time, logger), logger);
    }

    /// <summary>Processes one verified event (see the class summary). Throws only when <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task<WebhookProcessingResult> ProcessAsync(MoneyKitWebhookEvent webhookEvent, string? deliveryToken, int? attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        using var activity = BridgeTelemetry.StartWebhook(webhookEvent.WebhookEvent);
        history.Enter();
        try
        {
            var result = await ProcessEventAsync(webhookEvent, deliveryToken, attempt, cancellationToken);
            BridgeTelemetry.WebhookProcessed(webhookEvent.WebhookEvent, result.Outcome);
            return result;
        }
        finally
        {
            history.Exit();
        }
    }

    private async Task<WebhookProcessingResult> ProcessEventAsync(MoneyKitWebhookEvent webhookEvent, string? deliveryToken, int? attempt, CancellationToken cancellationToken)
    {
        var delivery = new WebhookDelivery(webhookEvent, WebhookLog.SafeToken(deliveryToken), attempt);
        if (webhookEvent.WebhookEvent == MoneyKitWebhookEvent.LinkStateChanged)
        {
            return new WebhookProcessingResult(await lanes.EnqueueAsync(delivery, cancellationToken), Task.CompletedTask);
        }

        var stripe = webhookEvent.WebhookEvent == MoneyKitWebhookEvent.LinkProductRefresh ? await products.EnterAsync(webhookEvent.LinkId, cancellationToken) : null;
        try
        {
            var outcome = await CommitAsync(delivery, time.GetUtcNow(), cancellationToken);
            var work = outcome == WebhookOutcome.Applied && (webhookEvent.WebhookEvent == MoneyKitWebhookEvent.TransactionsUpdatesAvailable || RefreshedSensitiveProduct(webhookEvent))
                ? syncs.Start(webhookEvent.LinkId, SyncTrigger.Webhook)
                : Task.CompletedTask;
            WebhookProcessingLog.Outcome(logger, delivery, outcome);
            return new WebhookProcessingResult(outcome, work);
        }
        catch (Exception e) when (StorageErrors.IsCausedByInput(e))
        {
            WebhookProcessingLog.Unstorable(logger, delivery, e);
            return new WebhookProcessingResult(WebhookOutcome.Unstorable, Task.CompletedTask);
        }
        catch (Exception e) when (StorageErrors.IsOutage(e, cancellationToken))
        {
            WebhookProcessingLog.Failed(logger, delivery, e);
            return new WebhookProcessingResult(WebhookOutcome.Failed, Task.CompletedTask);
        }
        finally
        {
            stripe?.Release();
        }
    }

    /// <summary>A completed refresh of account numbers or identity: the sync fetches the product's new data.</summary>
    private static bool RefreshedSensitiveProduct(MoneyKitWebhookEvent e) =>
        e.WebhookEvent == MoneyKitWebhookEvent.LinkProductRefresh && e.State == "completed" && SensitiveProducts.IsSensitive(e.Product);

    /// <summary>Completes when every state change queued and every background sync started so far has finished (tests, shutdown).</summary>
    public async Task WhenIdleAsync()
    {
        await lanes.WhenIdleAsync();
        await history.FlushAsync();
        await syncs.WhenIdleAsync();
    }

    /// <summary>
    /// Writes the event rows of every state change applied so far now and completes when they are written (they follow
    /// the acknowledgement: <see cref="DeferredEventRows"/>).
    /// </summary>
    public Task WhenRecordedAsync() => history.FlushAsync();

    /// <summary>Deletes event rows received longer than <see cref="WebhookOptions.DedupeRetention"/> ago; returns how many.</summary>
    public Task<int> PurgeExpiredKeysAsync(CancellationToken cancellationToken = default) => events.PurgeExpiredAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await lanes.DisposeAsync();
        await history.DisposeAsync();
        products.Dispose();
    }

    /// <summary>
    /// Decides and commits an event other than a state change: its row and, for a product refresh, the product's row
    /// (decided again when that row changed since it was read).
    /// </summary>
    private async Task<WebhookOutcome> CommitAsync(WebhookDelivery delivery, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var e = delivery.Event;
        for (var round = 0; round < 20; round++)
        {
            var state = await states.GetAsync(e.LinkId, cancellationToken);
            ProductRefreshRow? product = null;
            WebhookOutcome outcome;
            if (WebhookPrecheck.Settle(e, state) is { } settled)
            {
                outcome = settled;
            }
            else if (e.WebhookEvent == MoneyKitWebhookEvent.LinkProductRefresh)
            {
                product = await products.NextAsync(e, cancellationToken);
                outcome = product is null ? WebhookOutcome.Stale : WebhookOutcome.Applied;
            }
            else
            {
                outcome = e.WebhookEvent == MoneyKitWebhookEvent.TransactionsUpdatesAvailable ? WebhookOutcome.Applied : WebhookOutcome.UnknownEvent;
            }

            var row = WebhookEventRows.Row(delivery, outcome, now);
            if (product is null)
            {
                return await events.InsertAsync(row, outcome, cancellationToken);
            }

            if (await products.CommitAsync(row, product, outcome, cancellationToken) is { } committed)
            {
                return committed;
            }
        }

        throw new InvalidOperationException($"The product row of link {e.LinkId} kept changing while a webhook was applied.");
    }
}

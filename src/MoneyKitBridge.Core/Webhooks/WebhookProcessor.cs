using System.Collections.Concurrent;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.MoneyKit;
using MoneyKitBridge.TableStorage;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>What processing a verified event did.</summary>
public enum WebhookOutcome
{
    /// <summary>The event changed the link (state, product refresh) or started its sync.</summary>
    Applied,

    /// <summary>A newer event of the same kind was already applied; nothing changed.</summary>
    Stale,

    /// <summary>The idempotency key was processed before; nothing changed.</summary>
    Duplicate,

    /// <summary>The bridge does not know the link; recorded, nothing changed.</summary>
    UnknownLink,

    /// <summary>The link was deleted; recorded, nothing changed.</summary>
    LinkDeleted,

    /// <summary>An event type the bridge does not handle; recorded, nothing changed.</summary>
    UnknownEvent,

    /// <summary>A <c>webhook_major_version</c> other than 1; recorded, nothing changed.</summary>
    UnsupportedVersion,

    /// <summary>A state value the bridge does not know; recorded, nothing changed.</summary>
    UnknownState,

    /// <summary>Storage failed; nothing was committed as processed, so MoneyKit's retry processes it again (answered 503).</summary>
    Failed,
}

/// <summary>
/// The result of <see cref="WebhookProcessor.ProcessAsync"/>. <see cref="Background"/> is work started after the
/// answer (a webhook-triggered sync); it never faults and the endpoint need not await it.
/// </summary>
public sealed record WebhookProcessingResult(WebhookOutcome Outcome, Task Background)
{
    /// <summary>HTTP status to answer MoneyKit with: 2xx for every settled outcome, 503 on storage failure.</summary>
    public int Status => Outcome == WebhookOutcome.Failed ? 503 : 200;
}

/// <summary>
/// Applies verified MoneyKit webhooks exactly once and in order, each with one atomic write in the link's
/// <c>linkstates</c> partition:
/// <list type="number">
/// <item>the event row, keyed by <c>webhook_idempotency_key</c> and inserted only if absent, so a second delivery of
/// the same event (concurrent or later) is a <see cref="WebhookOutcome.Duplicate"/> and changes nothing;</item>
/// <item>in the same entity group transaction, the event's effect: <c>link.state_changed</c> replaces the state row
/// (If-Match on its ETag; an older <c>webhook_timestamp</c> never overwrites a newer one; <c>deleted</c> is a
/// tombstone at once), <c>link.product_refresh</c> the product's row (newest wins);</item>
/// <item>after the commit: a deletion purges the link's data, a state or block change updates the refresh index,
/// <c>transactions.updates_available</c> starts a coalesced background sync.</item>
/// </list>
/// A crash or a storage failure before the commit leaves nothing behind (MoneyKit's retry processes the event);
/// after it, the event is settled. State rows this processor wrote or read are kept as hints, checked by the
/// ETag of the write, so a run of events for one link costs one request each. Event rows are kept for
/// <see cref="WebhookOptions.DedupeRetention"/> (the link's recent-event history) and purged by the timer.
/// Logs carry the delivery token, attempt, event type, link id and outcome only.
/// </summary>
public sealed class WebhookProcessor : IAsyncDisposable
{
    /// <summary>Row key prefix of the per-product refresh rows in a link's <c>linkstates</c> partition.</summary>
    public const string ProductRowPrefix = "prod_";

    private const int MaxHints = 10_000;
    private const int LinkStripes = 1024;

    private readonly BridgeTables tables;
    private readonly LinkLifecycle lifecycle;
    private readonly LinkSyncEngine syncEngine;
    private readonly WebhookOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<WebhookProcessor> logger;
    private readonly LinkStateStore states;
    private readonly ConcurrentDictionary<string, LinkState> hints = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim[] linkStripes = [.. Enumerable.Range(0, LinkStripes).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly Dictionary<string, SyncSlot> syncs = new(StringComparer.Ordinal);
    private readonly HashSet<Task> background = [];

    public WebhookProcessor(BridgeTables tables, LinkLifecycle lifecycle, LinkSyncEngine syncEngine, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(options);
        this.tables = tables;
        this.lifecycle = lifecycle;
        this.syncEngine = syncEngine;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        states = new LinkStateStore(tables);
    }

    private sealed class SyncSlot
    {
        public bool Again { get; set; }

        public Task Task { get; set; } = Task.CompletedTask;
    }

    /// <summary>What an event does to the link, decided on one read of its state (and product row).</summary>
    private sealed record Plan(WebhookOutcome Outcome, LinkState? Before, LinkState? Next, TableEntity? ProductRow, ETag ProductETag);

    /// <summary>Processes one verified event (see the class summary). Throws only when <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task<WebhookProcessingResult> ProcessAsync(MoneyKitWebhookEvent webhookEvent, string? deliveryToken, int? attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        var delivery = new Delivery(webhookEvent, WebhookLog.SafeToken(deliveryToken), attempt);
        var now = time.GetUtcNow();
        // Events that rewrite a row of the link (state, product) are decided and committed one at a time per link in
        // this process (a concurrent twin would only lose its ETag race and pay a re-read); other instances are still
        // ordered by the ETags. Other events only insert their own row and run concurrently.
        SemaphoreSlim? stripe = null;
        if (webhookEvent.WebhookEvent is MoneyKitWebhookEvent.LinkStateChanged or MoneyKitWebhookEvent.LinkProductRefresh)
        {
            stripe = linkStripes[(uint)StringComparer.Ordinal.GetHashCode(webhookEvent.LinkId) % LinkStripes];
            await stripe.WaitAsync(cancellationToken);
        }

        var entered = stripe is not null;
        try
        {
            for (var round = 0; round < 20; round++)
            {
                var state = await StateAsync(webhookEvent, fresh: round > 0, cancellationToken);
                var plan = await PlanAsync(webhookEvent, state, now, cancellationToken);
                var committed = await CommitAsync(delivery, plan, now, cancellationToken);
                if (committed is null)
                {
                    continue; // The state or product row changed since it was read: decide again on a fresh read.
                }

                if (entered)
                {
                    stripe!.Release();
                    entered = false;
                }

                if (committed == WebhookOutcome.Duplicate)
                {
                    Log(delivery, WebhookOutcome.Duplicate);
                    return new WebhookProcessingResult(WebhookOutcome.Duplicate, Task.CompletedTask);
                }

                if (plan.Next is { } stored && plan.Before is { } before)
                {
                    await lifecycle.AfterStateStoredAsync(before, stored, cancellationToken);
                }

                var work = plan.Outcome == WebhookOutcome.Applied && webhookEvent.WebhookEvent == MoneyKitWebhookEvent.TransactionsUpdatesAvailable
                    ? ScheduleSync(webhookEvent.LinkId)
                    : Task.CompletedTask;
                Log(delivery, plan.Outcome);
                return new WebhookProcessingResult(plan.Outcome, work);
            }

            throw new InvalidOperationException($"The state of link {webhookEvent.LinkId} kept changing while a webhook was applied.");
        }
        catch (Exception e) when (IsStorageFailure(e, cancellationToken))
        {
            hints.TryRemove(webhookEvent.LinkId, out _);
            LogFailure(delivery, e);
            return new WebhookProcessingResult(WebhookOutcome.Failed, Task.CompletedTask);
        }
        finally
        {
            if (entered)
            {
                stripe!.Release();
            }
        }
    }

    /// <summary>Completes when every background sync started so far has finished (tests, shutdown).</summary>
    public async Task WhenIdleAsync()
    {
        while (true)
        {
            Task[] pending;
            lock (gate)
            {
                pending = [.. background];
            }

            if (pending.Length == 0)
            {
                return;
            }

            await Task.WhenAll(pending);
        }
    }

    /// <summary>Deletes event rows received longer than <see cref="WebhookOptions.DedupeRetention"/> ago; returns how many.</summary>
    public async Task<int> PurgeExpiredKeysAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = time.GetUtcNow() - options.DedupeRetention;
        var deleted = 0;
        var filter = TableFilter.StartsWith("RowKey", LinkRows.EventPrefix) + " and " + TableFilter.Create($"ReceivedAt lt {cutoff}");
        await foreach (var row in tables.States.QueryAsync(filter, select: ["ReceivedAt"], cancellationToken: cancellationToken))
        {
            try
            {
                await tables.States.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
                deleted++;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // Purged by a concurrent run.
            }
        }

        return deleted;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await WhenIdleAsync();
        stopping.Dispose();
        foreach (var stripe in linkStripes)
        {
            stripe.Dispose();
        }
    }

    private sealed record Delivery(MoneyKitWebhookEvent Event, string Token, int? Attempt);

    private static bool IsStorageFailure(Exception e, CancellationToken cancellationToken) =>
        e is RequestFailedException or InvalidOperationException or HttpRequestException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>
    /// The link's state: a state change may start from the hint (its write is conditional on the hint's ETag, and an
    /// older hint can only make an event look newer, never stale); other events and every retry read the row.
    /// </summary>
    private async Task<LinkState?> StateAsync(MoneyKitWebhookEvent e, bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && e.WebhookEvent == MoneyKitWebhookEvent.LinkStateChanged && hints.TryGetValue(e.LinkId, out var hint))
        {
            return hint;
        }

        var state = await states.GetAsync(e.LinkId, cancellationToken);
        Remember(e.LinkId, state);
        return state;
    }

    private void Remember(string linkId, LinkState? state)
    {
        if (state is null)
        {
            hints.TryRemove(linkId, out _);
            return;
        }

        if (hints.Count >= MaxHints)
        {
            hints.Clear();
        }

        hints[linkId] = state;
    }

    private async Task<Plan> PlanAsync(MoneyKitWebhookEvent e, LinkState? state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (state is null)
        {
            return new Plan(WebhookOutcome.UnknownLink, null, null, null, default);
        }

        if (e.WebhookMajorVersion != 1)
        {
            return new Plan(WebhookOutcome.UnsupportedVersion, state, null, null, default);
        }

        if (state.DeletedAt is not null)
        {
            return new Plan(WebhookOutcome.LinkDeleted, state, null, null, default);
        }

        switch (e.WebhookEvent)
        {
            case MoneyKitWebhookEvent.LinkStateChanged:
                if (e.State is not (MoneyKitLinkStates.Connecting or MoneyKitLinkStates.AwaitingTokenExchange or MoneyKitLinkStates.Connected or MoneyKitLinkStates.Deleted or MoneyKitLinkStates.Error))
                {
                    return new Plan(WebhookOutcome.UnknownState, state, null, null, default);
                }

                var next = LinkLifecycle.AfterStateChange(state, e.State, e.Error, e.WebhookTimestamp, now);
                return next is null
                    ? new Plan(WebhookOutcome.Stale, state, null, null, default)
                    : new Plan(WebhookOutcome.Applied, state, next, null, default);

            case MoneyKitWebhookEvent.LinkProductRefresh:
                return await PlanProductRefreshAsync(e, state, cancellationToken);

            case MoneyKitWebhookEvent.TransactionsUpdatesAvailable:
                return new Plan(WebhookOutcome.Applied, state, null, null, default);

            default:
                return new Plan(WebhookOutcome.UnknownEvent, state, null, null, default);
        }
    }

    /// <summary>The product's row unless it already holds a newer refresh state (then stale).</summary>
    private async Task<Plan> PlanProductRefreshAsync(MoneyKitWebhookEvent e, LinkState state, CancellationToken cancellationToken)
    {
        var partition = LinkRows.Partition(e.LinkId);
        var row = ProductRowPrefix + TableKey.Encode(e.Product ?? string.Empty);
        var changedAt = e.StateChangedAt ?? e.WebhookTimestamp;
        var current = await tables.States.GetEntityIfExistsAsync(partition, row, cancellationToken: cancellationToken);
        if (current?.GetDateTimeOffset("StateChangedAt") is { } seen
            && (seen > changedAt || (seen == changedAt && Rank(current.GetString("State")) >= Rank(e.State))))
        {
            return new Plan(WebhookOutcome.Stale, state, null, null, default);
        }

        var next = new TableEntity(partition, row)
        {
            ["Product"] = e.Product,
            ["State"] = e.State,
            ["StateChangedAt"] = changedAt,
            ["ErrorMessage"] = e.ErrorMessage,
            ["WebhookTimestamp"] = e.WebhookTimestamp,
            ["IdempotencyKey"] = e.WebhookIdempotencyKey,
        };
        return new Plan(WebhookOutcome.Applied, state, null, next, current?.ETag ?? default);
    }

    /// <summary>Orders refresh states of one instant: pending, in_progress, then a final state.</summary>
    private static int Rank(string? refreshState) => refreshState switch
    {
        "pending" => 0,
        "in_progress" => 1,
        _ => 2,
    };

    /// <summary>
    /// Writes the event row and the plan's effect in one transaction. Returns the plan's outcome when committed,
    /// <see cref="WebhookOutcome.Duplicate"/> when the event row existed, null when a row the plan was based on changed.
    /// </summary>
    private async Task<WebhookOutcome?> CommitAsync(Delivery delivery, Plan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var e = delivery.Event;
        var eventRow = new TableEntity(LinkRows.Partition(e.LinkId), LinkRows.Event(e.WebhookIdempotencyKey))
        {
            ["Event"] = e.WebhookEvent,
            ["LinkId"] = e.LinkId,
            ["WebhookTimestamp"] = e.WebhookTimestamp,
            ["WebhookMajorVersion"] = e.WebhookMajorVersion,
            ["IdempotencyKey"] = e.WebhookIdempotencyKey,
            ["DeliveryToken"] = delivery.Token,
            ["Attempt"] = delivery.Attempt ?? 0,
            ["Outcome"] = WebhookLog.Name(plan.Outcome),
            ["ReceivedAt"] = now,
            ["State"] = e.State,
            ["ErrorCode"] = e.Error,
            ["Product"] = e.Product,
        };
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, eventRow) };
        if (plan.Next is { } next)
        {
            actions.Add(new(TableTransactionActionType.UpdateReplace, next.ToEntity(), plan.Before!.ETag == default ? ETag.All : plan.Before.ETag));
        }

        if (plan.ProductRow is { } product)
        {
            actions.Add(plan.ProductETag == default
                ? new(TableTransactionActionType.Add, product)
                : new(TableTransactionActionType.UpdateReplace, product, plan.ProductETag));
        }

        if (actions.Count == 1)
        {
            try
            {
                await tables.States.AddEntityAsync(eventRow, cancellationToken);
                return plan.Outcome;
            }
            catch (RequestFailedException x) when (x.Status == 409)
            {
                return WebhookOutcome.Duplicate;
            }
        }

        IReadOnlyList<ETag> etags;
        tables.StateCache.Invalidate(e.LinkId);
        try
        {
            etags = await tables.States.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException x) when (x.Status is 409 or 412)
        {
            hints.TryRemove(e.LinkId, out _);
            if (x.FailedActionIndex == 0 || (x.FailedActionIndex is null && await tables.States.GetEntityIfExistsAsync(eventRow.PartitionKey, eventRow.RowKey, select: ["Outcome"], cancellationToken: cancellationToken) is not null))
            {
                return WebhookOutcome.Duplicate;
            }

            return null;
        }
        finally
        {
            tables.StateCache.Invalidate(e.LinkId); // also drop a copy a concurrent reader cached mid-write
        }

        if (plan.Next is { } written)
        {
            Remember(e.LinkId, written with { ETag = etags[1] });
        }

        return plan.Outcome;
    }

    /// <summary>
    /// Starts a sync of the link in the background, or, when one started by this process is running, marks it to
    /// run once more (bursts of <c>updates_available</c> collapse into at most one extra run; across processes the
    /// engine's lease coalesces). The returned task completes when a run that started after this call has finished.
    /// </summary>
    private Task ScheduleSync(string linkId)
    {
        lock (gate)
        {
            if (syncs.TryGetValue(linkId, out var running))
            {
                running.Again = true;
                return running.Task;
            }

            var slot = new SyncSlot();
            syncs[linkId] = slot;
            slot.Task = Track(Task.Run(() => RunSyncsAsync(linkId, slot)));
            return slot.Task;
        }
    }

    private async Task RunSyncsAsync(string linkId, SyncSlot slot)
    {
        while (true)
        {
            try
            {
                var outcome = await syncEngine.SyncAsync(linkId, SyncTrigger.Webhook, stopping.Token);
                logger.LogInformation("Webhook-triggered sync of link {LinkId}: {Status}", linkId, outcome.Status);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                // The timer's staleness check picks the link up again; the next webhook retries too.
                logger.LogWarning("Webhook-triggered sync of link {LinkId} failed: {Reason}", linkId, e.GetType().Name);
            }
            catch (OperationCanceledException)
            {
                // Shutting down.
            }

            lock (gate)
            {
                if (!slot.Again || stopping.IsCancellationRequested)
                {
                    syncs.Remove(linkId);
                    return;
                }

                slot.Again = false;
            }
        }
    }

    /// <summary>Tracks background work for <see cref="WhenIdleAsync"/>; the returned task never faults.</summary>
    private Task Track(Task work)
    {
        var safe = Swallow(work);
        lock (gate)
        {
            background.Add(safe);
        }

        _ = safe.ContinueWith(
            t =>
            {
                lock (gate)
                {
                    background.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return safe;

        async Task Swallow(Task task)
        {
            try
            {
                await task;
            }
            catch (Exception e) when (e is RequestFailedException or OperationCanceledException or InvalidOperationException or HttpRequestException)
            {
                logger.LogWarning("Webhook background work failed: {Reason}", e.GetType().Name);
            }
        }
    }

    private void Log(Delivery delivery, WebhookOutcome outcome) =>
        logger.LogInformation(
            "Webhook {Event} for link {LinkId}: delivery {DeliveryToken} attempt {Attempt} -> {Outcome}",
            delivery.Event.WebhookEvent, delivery.Event.LinkId, delivery.Token, delivery.Attempt, WebhookLog.Name(outcome));

    private void LogFailure(Delivery delivery, Exception e) =>
        logger.LogWarning(
            "Webhook {Event} for link {LinkId}: delivery {DeliveryToken} attempt {Attempt} failed on storage ({Reason}); MoneyKit will retry",
            delivery.Event.WebhookEvent, delivery.Event.LinkId, delivery.Token, delivery.Attempt, e.GetType().Name);
}

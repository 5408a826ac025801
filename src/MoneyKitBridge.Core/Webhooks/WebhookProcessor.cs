using System.Collections.Concurrent;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.MoneyKit;
using Azure.Data.Tables;

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

    /// <summary>
    /// Storage refused the event itself (a value outside the service's limits): it can never be stored, so it is
    /// refused once (answered 422) instead of reported as an outage; nothing changed.
    /// </summary>
    Unstorable,
}

/// <summary>
/// The result of <see cref="WebhookProcessor.ProcessAsync"/>. <see cref="Background"/> is work started after the
/// answer (a webhook-triggered sync); it never faults and the endpoint need not await it.
/// </summary>
public sealed record WebhookProcessingResult(WebhookOutcome Outcome, Task Background)
{
    /// <summary>HTTP status to answer MoneyKit with: 2xx for every settled outcome, 503 on a storage outage, 422 for an event storage refuses.</summary>
    public int Status => Outcome switch
    {
        WebhookOutcome.Failed => 503,
        WebhookOutcome.Unstorable => 422,
        _ => 200,
    };
}

/// <summary>
/// Applies verified MoneyKit webhooks exactly once and in order, each with one atomic write in the link's
/// <c>linkstates</c> partition:
/// <list type="number">
/// <item>the event row, keyed by <c>webhook_idempotency_key</c> and inserted only if absent, so a second delivery of
/// the same event (concurrent or later) is a <see cref="WebhookOutcome.Duplicate"/> and changes nothing;</item>
/// <item>in the same entity group transaction, the event's effect: <c>link.state_changed</c> rewrites the state row
/// (If-Match on its ETag; an older <c>webhook_timestamp</c> never overwrites a newer one; <c>deleted</c> is a
/// tombstone at once), <c>link.product_refresh</c> the product's row (newest wins);</item>
/// <item>after the commit: a deletion purges the link's data, a state or block change updates the refresh index,
/// <c>transactions.updates_available</c> starts a coalesced background sync.</item>
/// </list>
/// A crash or a storage failure before the commit leaves nothing behind (MoneyKit's retry processes the event);
/// after it, the event is settled. State changes of one link wait on the link's lane in this process and are
/// committed together (all queued events' rows and the resulting state row in one transaction), so a burst for one
/// link costs one request, not a queue of them; other instances are ordered by the state row's ETag. State rows
/// this processor wrote or read stay in <see cref="LinkStateStore"/>'s copy, checked by that ETag, so a steady stream costs one request per
/// event. Event rows are kept for
/// <see cref="WebhookOptions.DedupeRetention"/> (the link's recent-event history) and purged by the timer.
/// Logs carry the delivery token, attempt, event type, link id and outcome only (routine outcomes at Debug).
/// </summary>
public sealed class WebhookProcessor : IAsyncDisposable
{
    private const int LinkStripes = 1024;
    private const int MaxEventsPerTransaction = 99; // plus the state row: the service's limit of 100 actions

    private readonly BridgeTables tables;
    private readonly LinkLifecycle lifecycle;
    private readonly LinkSyncEngine syncEngine;
    private readonly WebhookOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<WebhookProcessor> logger;
    private readonly LinkStateStore states;
    private readonly SemaphoreSlim[] linkStripes = [.. Enumerable.Range(0, LinkStripes).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly Dictionary<string, SyncSlot> syncs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<QueuedChange>> lanes = new(StringComparer.Ordinal);
    private readonly HashSet<Task> background = [];

    public WebhookProcessor(BridgeTables tables, LinkStateStore states, LinkLifecycle lifecycle, LinkSyncEngine syncEngine, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(options);
        this.tables = tables;
        this.lifecycle = lifecycle;
        this.syncEngine = syncEngine;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        this.states = states;
    }

    private sealed class SyncSlot
    {
        public bool Again { get; set; }

        public Task Task { get; set; } = Task.CompletedTask;
    }

    /// <summary>What an event other than a state change does: its outcome and, for a product refresh, the product's row.</summary>
    private sealed record Plan(WebhookOutcome Outcome, ProductRefreshRow? ProductRow = null);

    /// <summary>A state change waiting on its link's lane.</summary>
    private sealed record QueuedChange(Delivery Delivery, TaskCompletionSource<WebhookOutcome> Done);

    /// <summary>Processes one verified event (see the class summary). Throws only when <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task<WebhookProcessingResult> ProcessAsync(MoneyKitWebhookEvent webhookEvent, string? deliveryToken, int? attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        var delivery = new Delivery(webhookEvent, WebhookLog.SafeToken(deliveryToken), attempt);
        var now = time.GetUtcNow();
        if (webhookEvent.WebhookEvent == MoneyKitWebhookEvent.LinkStateChanged)
        {
            var outcome = await EnqueueStateChangeAsync(delivery, cancellationToken);
            return new WebhookProcessingResult(outcome, Task.CompletedTask);
        }

        // Product refreshes rewrite the product's row: one at a time per link in this process (a concurrent twin
        // would only lose its ETag race and pay a re-read); other instances are still ordered by the ETags. Other
        // events only insert their own row and run concurrently.
        SemaphoreSlim? stripe = null;
        if (webhookEvent.WebhookEvent == MoneyKitWebhookEvent.LinkProductRefresh)
        {
            stripe = linkStripes[(uint)StringComparer.Ordinal.GetHashCode(webhookEvent.LinkId) % LinkStripes];
            await stripe.WaitAsync(cancellationToken);
        }

        try
        {
            for (var round = 0; round < 20; round++)
            {
                var state = await StateAsync(webhookEvent.LinkId, fresh: true, cancellationToken);
                var plan = await PlanAsync(webhookEvent, state, cancellationToken);
                var committed = await CommitAsync(delivery, plan, now, cancellationToken);
                if (committed is null)
                {
                    continue; // The product row changed since it was read: decide again.
                }

                var work = committed == WebhookOutcome.Applied && webhookEvent.WebhookEvent == MoneyKitWebhookEvent.TransactionsUpdatesAvailable
                    ? ScheduleSync(webhookEvent.LinkId)
                    : Task.CompletedTask;
                Log(delivery, committed.Value);
                return new WebhookProcessingResult(committed.Value, work);
            }

            throw new InvalidOperationException($"The product row of link {webhookEvent.LinkId} kept changing while a webhook was applied.");
        }
        catch (Exception e) when (StorageErrors.IsCausedByInput(e))
        {
            LogUnstorable(delivery, e);
            return new WebhookProcessingResult(WebhookOutcome.Unstorable, Task.CompletedTask);
        }
        catch (Exception e) when (IsStorageFailure(e, cancellationToken))
        {
            LogFailure(delivery, e);
            return new WebhookProcessingResult(WebhookOutcome.Failed, Task.CompletedTask);
        }
        finally
        {
            stripe?.Release();
        }
    }

    /// <summary>
    /// Queues a state change on its link's lane and waits for its outcome. One lane runner per link commits the
    /// queued events together: decided in arrival order on the state row, written as one entity group transaction
    /// (each event's row plus the resulting state row). A burst for one link therefore costs one request instead of
    /// a queue of them, and twins in the same burst are told apart before anything is written.
    /// </summary>
    private async Task<WebhookOutcome> EnqueueStateChangeAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        var waiting = new QueuedChange(delivery, new TaskCompletionSource<WebhookOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        var linkId = delivery.Event.LinkId;
        List<QueuedChange>? newLane = null;
        lock (gate)
        {
            if (!lanes.TryGetValue(linkId, out var lane))
            {
                lanes[linkId] = lane = newLane = [];
            }

            lane.Add(waiting);
        }

        if (newLane is not null)
        {
            _ = Track(Task.Run(() => RunLaneAsync(linkId, newLane), CancellationToken.None));
        }

        var outcome = await waiting.Done.Task.WaitAsync(cancellationToken);
        if (outcome is not (WebhookOutcome.Failed or WebhookOutcome.Unstorable))
        {
            Log(delivery, outcome);
        }

        return outcome;
    }

    private async Task RunLaneAsync(string linkId, List<QueuedChange> lane)
    {
        while (true)
        {
            QueuedChange[] group;
            lock (gate)
            {
                if (lane.Count == 0)
                {
                    lanes.Remove(linkId);
                    return;
                }

                group = [.. lane.Take(MaxEventsPerTransaction)];
                lane.RemoveRange(0, group.Length);
            }

            await CommitGroupAsync(linkId, group);
        }
    }

    /// <summary>
    /// Commits a group and settles each change. When storage refuses the group's input, each change is committed
    /// alone, so only an event that can never be stored is refused and its neighbours still apply.
    /// </summary>
    private async Task CommitGroupAsync(string linkId, QueuedChange[] group)
    {
        try
        {
            foreach (var (change, outcome) in await CommitStateChangesAsync(linkId, group))
            {
                change.Done.TrySetResult(outcome);
            }
        }
        catch (Exception e) when (StorageErrors.IsCausedByInput(e) && group.Length > 1)
        {
            foreach (var change in group)
            {
                await CommitGroupAsync(linkId, [change]);
            }
        }
        catch (Exception e) when (StorageErrors.IsCausedByInput(e))
        {
            LogUnstorable(group[0].Delivery, e);
            group[0].Done.TrySetResult(WebhookOutcome.Unstorable);
        }
        catch (Exception e) when (IsStorageFailure(e, CancellationToken.None))
        {
            foreach (var change in group)
            {
                LogFailure(change.Delivery, e);
                change.Done.TrySetResult(WebhookOutcome.Failed);
            }
        }
    }

    /// <summary>
    /// Decides and commits a group of state changes of one link; returns each one's outcome. An event row that
    /// already exists (a delivery committed before) makes its event a duplicate and the rest is decided again; a
    /// state row changed since it was read is read again.
    /// </summary>
    private async Task<List<(QueuedChange Change, WebhookOutcome Outcome)>> CommitStateChangesAsync(string linkId, QueuedChange[] group)
    {
        var cancellationToken = stopping.Token;
        var now = time.GetUtcNow();
        var settled = new List<(QueuedChange, WebhookOutcome)>();
        var remaining = group.ToList();
        for (var round = 0; round < 20 && remaining.Count > 0; round++)
        {
            var before = await StateAsync(linkId, fresh: round > 0, cancellationToken);
            var current = before;
            var planned = new List<(QueuedChange Change, WebhookOutcome Outcome)>();
            var actions = new List<TableTransactionAction>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var change in remaining)
            {
                var e = change.Delivery.Event;
                if (!keys.Add(e.WebhookIdempotencyKey))
                {
                    planned.Add((change, WebhookOutcome.Duplicate)); // its twin in this group writes the row
                    continue;
                }

                var outcome = Precheck(e, current) ?? (IsKnownState(e.State) ? WebhookOutcome.Stale : WebhookOutcome.UnknownState);
                if (outcome == WebhookOutcome.Stale && LinkLifecycle.AfterStateChange(current!, e.State!, e.Error, e.WebhookTimestamp, now) is { } next)
                {
                    current = next;
                    outcome = WebhookOutcome.Applied;
                }

                planned.Add((change, outcome));
                actions.Add(new(TableTransactionActionType.Add, EventRow(change.Delivery, outcome, now)));
            }

            if (!ReferenceEquals(current, before))
            {
                actions.Add(current!.WriteOver(before!));
            }

            var changed = ReferenceEquals(current, before) ? null : current;
            ETag lastETag;
            try
            {
                lastETag = await states.SubmitAsync(linkId, actions, changed, cancellationToken);
            }
            catch (RequestFailedException x) when (x.Status == 409)
            {
                // An event row exists: that event was committed by an earlier delivery. Settle it and decide the rest again.
                var rows = planned.Where(p => p.Outcome != WebhookOutcome.Duplicate).ToList();
                var index = x is TableTransactionFailedException { FailedTransactionActionIndex: { } i } ? i : actions.Count == 1 ? 0 : (int?)null;
                var committedBefore = index is { } at && at < rows.Count
                    ? [rows[at].Change]
                    : await ExistingAsync(linkId, rows.Select(r => r.Change), cancellationToken);
                foreach (var change in committedBefore)
                {
                    settled.Add((change, WebhookOutcome.Duplicate));
                    remaining.Remove(change);
                }

                continue;
            }
            catch (TableTransactionFailedException x) when (x.Status == 412)
            {
                continue; // The state row changed since it was read (the store dropped its copy): read it again.
            }

            settled.AddRange(planned);
            remaining.Clear();
            if (!ReferenceEquals(current, before))
            {
                var stored = current! with { ETag = lastETag };
                try
                {
                    await lifecycle.AfterStateStoredAsync(before!, stored, cancellationToken);
                }
                catch (Exception e) when (IsStorageFailure(e, CancellationToken.None))
                {
                    // The events are settled (their rows and the state are stored); the refresh index or the purge
                    // of a deleted link's data is what failed. A disconnect through the API purges again.
                    logger.LogWarning("Follow-up of a state change of link {LinkId} failed on storage ({Reason})", linkId, e.GetType().Name);
                }
            }
        }

        if (remaining.Count > 0)
        {
            throw new InvalidOperationException($"The state of link {linkId} kept changing while webhooks were applied.");
        }

        return settled;
    }

    private static bool IsKnownState(string? state) =>
        state is MoneyKitLinkStates.Connecting or MoneyKitLinkStates.AwaitingTokenExchange or MoneyKitLinkStates.Connected or MoneyKitLinkStates.Deleted or MoneyKitLinkStates.Error;

    /// <summary>Which of <paramref name="changes"/> already have their event row.</summary>
    private async Task<List<QueuedChange>> ExistingAsync(string linkId, IEnumerable<QueuedChange> changes, CancellationToken cancellationToken)
    {
        var existing = new List<QueuedChange>();
        foreach (var change in changes)
        {
            var row = await tables.States.GetEntityIfExistsAsync<TableEntity>(LinkRows.Partition(linkId), LinkRows.Event(change.Delivery.Event.WebhookIdempotencyKey), select: [WebhookEventRow.OutcomeColumn], cancellationToken: cancellationToken);
            if (row.HasValue)
            {
                existing.Add(change);
            }
        }

        return existing;
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
        await foreach (var row in tables.States.QueryAsync<TableEntity>(WebhookEventRow.ExpiredFilter(cutoff), select: ["PartitionKey", "RowKey", WebhookEventRow.ReceivedAtColumn], cancellationToken: cancellationToken))
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

    /// <summary>A storage outage (answered 503 so MoneyKit retries); refusals of the input itself are not (see <see cref="StorageErrors"/>).</summary>
    private static bool IsStorageFailure(Exception e, CancellationToken cancellationToken) => StorageErrors.IsOutage(e, cancellationToken);

    /// <summary>
    /// The link's state: state changes start from the store's last known copy (their write is conditional on its
    /// ETag, and an older copy can only make an event look newer, never stale); every retry and every other event
    /// reads the row.
    /// </summary>
    private Task<LinkState?> StateAsync(string linkId, bool fresh, CancellationToken cancellationToken) =>
        fresh ? states.GetAsync(linkId, cancellationToken) : states.GetLastKnownAsync(linkId, cancellationToken);

    /// <summary>The outcome every event shares when the link is unknown, deleted or the event's major version is not 1; null otherwise.</summary>
    private static WebhookOutcome? Precheck(MoneyKitWebhookEvent e, LinkState? state) =>
        state is null ? WebhookOutcome.UnknownLink
        : e.WebhookMajorVersion != 1 ? WebhookOutcome.UnsupportedVersion
        : state.DeletedAt is not null ? WebhookOutcome.LinkDeleted
        : null;

    private async Task<Plan> PlanAsync(MoneyKitWebhookEvent e, LinkState? state, CancellationToken cancellationToken) =>
        Precheck(e, state) is { } settled ? new Plan(settled)
        : e.WebhookEvent switch
        {
            MoneyKitWebhookEvent.LinkProductRefresh => await PlanProductRefreshAsync(e, cancellationToken),
            MoneyKitWebhookEvent.TransactionsUpdatesAvailable => new Plan(WebhookOutcome.Applied),
            _ => new Plan(WebhookOutcome.UnknownEvent),
        };

    /// <summary>The product's row unless it already holds a newer refresh state (then stale).</summary>
    private async Task<Plan> PlanProductRefreshAsync(MoneyKitWebhookEvent e, CancellationToken cancellationToken)
    {
        var product = e.Product ?? string.Empty;
        var changedAt = e.StateChangedAt ?? e.WebhookTimestamp;
        var response = await tables.States.GetEntityIfExistsAsync<TableEntity>(LinkRows.Partition(e.LinkId), LinkRows.Product(product), cancellationToken: cancellationToken);
        var current = response.HasValue ? ProductRefreshRow.FromEntity(e.LinkId, response.Value!) : null;
        if (current is not null && (current.StateChangedAt > changedAt || (current.StateChangedAt == changedAt && Rank(current.State) >= Rank(e.State))))
        {
            return new Plan(WebhookOutcome.Stale);
        }

        var next = new ProductRefreshRow(e.LinkId, product, e.State, changedAt, e.ErrorMessage, e.WebhookTimestamp, e.WebhookIdempotencyKey) { ETag = current?.ETag ?? default };
        return new Plan(WebhookOutcome.Applied, next);
    }

    /// <summary>Orders refresh states of one instant: pending, in_progress, then a final state.</summary>
    private static int Rank(string? refreshState) => refreshState switch
    {
        "pending" => 0,
        "in_progress" => 1,
        _ => 2,
    };

    /// <summary>
    /// Writes the event row and, for a product refresh, the product's row in one transaction. Returns the plan's
    /// outcome when committed, <see cref="WebhookOutcome.Duplicate"/> when the event row existed, null when the
    /// product row changed since it was read.
    /// </summary>
    private async Task<WebhookOutcome?> CommitAsync(Delivery delivery, Plan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var eventRow = EventRow(delivery, plan.Outcome, now);
        try
        {
            if (plan.ProductRow is not { } product)
            {
                await tables.States.AddCheckedAsync(eventRow, cancellationToken);
                return plan.Outcome;
            }

            await tables.States.SubmitCheckedAsync(
                [
                    new(TableTransactionActionType.Add, eventRow),
                    product.ETag == default
                        ? new(TableTransactionActionType.Add, product.ToEntity())
                        : new(TableTransactionActionType.UpdateReplace, product.ToEntity(), product.ETag),
                ],
                cancellationToken);
            return plan.Outcome;
        }
        catch (RequestFailedException x) when (x.Status == 409 && x is not TableTransactionFailedException { FailedTransactionActionIndex: not 0 })
        {
            return WebhookOutcome.Duplicate;
        }
        catch (TableTransactionFailedException x) when (x.Status is 409 or 412)
        {
            return null;
        }
    }

    /// <summary>The event's row in its link's <c>linkstates</c> partition: deduplication record and event history.</summary>
    private static TableEntity EventRow(Delivery delivery, WebhookOutcome outcome, DateTimeOffset receivedAt)
    {
        var e = delivery.Event;
        return new WebhookEventRow(
            e.LinkId, e.WebhookIdempotencyKey, e.WebhookEvent, e.WebhookTimestamp, e.WebhookMajorVersion, delivery.Token, delivery.Attempt ?? 0,
            WebhookLog.Name(outcome), receivedAt, e.State, e.Error, e.Product).ToEntity();
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

    /// <summary>
    /// Routine outcomes (applied, stale, duplicate) at Debug: every delivery's token, attempt and outcome is stored in
    /// its event row already, and at MoneyKit's volumes a line each is log cost without information. Outcomes that
    /// deserve a look (unknown link, event, state or version; deleted link) at Information.
    /// </summary>
    private void Log(Delivery delivery, WebhookOutcome outcome) =>
        logger.Log(
            outcome is WebhookOutcome.Applied or WebhookOutcome.Stale or WebhookOutcome.Duplicate ? LogLevel.Debug : LogLevel.Information,
            "Webhook {Event} for link {LinkId}: delivery {DeliveryToken} attempt {Attempt} -> {Outcome}",
            delivery.Event.WebhookEvent, delivery.Event.LinkId, delivery.Token, delivery.Attempt, WebhookLog.Name(outcome));

    private void LogUnstorable(Delivery delivery, Exception e) =>
        logger.LogWarning(
            "Webhook {Event} for link {LinkId}: delivery {DeliveryToken} attempt {Attempt} refused: storage refuses the event itself ({Status} {ErrorCode}); answered 422",
            delivery.Event.WebhookEvent, delivery.Event.LinkId, delivery.Token, delivery.Attempt, (e as RequestFailedException)?.Status, (e as RequestFailedException)?.ErrorCode);

    private void LogFailure(Delivery delivery, Exception e) =>
        logger.LogWarning(
            "Webhook {Event} for link {LinkId}: delivery {DeliveryToken} attempt {Attempt} failed on storage ({Reason}); MoneyKit will retry",
            delivery.Event.WebhookEvent, delivery.Event.LinkId, delivery.Token, delivery.Attempt, e.GetType().Name);
}

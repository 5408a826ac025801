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

    /// <summary>Another delivery of the same event is being processed right now; retry later (answered 409).</summary>
    InProgress,

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
/// answer (a webhook-triggered sync, trimming old event rows); it never faults and the endpoint need not await it.
/// </summary>
public sealed record WebhookProcessingResult(WebhookOutcome Outcome, Task Background)
{
    /// <summary>HTTP status to answer MoneyKit with: 2xx for every settled outcome, 409 while a twin is running, 503 on storage failure.</summary>
    public int Status => Outcome switch
    {
        WebhookOutcome.InProgress => 409,
        WebhookOutcome.Failed => 503,
        _ => 200,
    };
}

/// <summary>
/// Applies verified MoneyKit webhooks exactly once and in order:
/// <list type="number">
/// <item>claims the <c>webhook_idempotency_key</c> in the <c>webhookkeys</c> table (insert-if-absent; a processed key is a
/// <see cref="WebhookOutcome.Duplicate"/>; a key claimed by a delivery that crashed is taken over after
/// <see cref="WebhookOptions.ProcessingLease"/>);</item>
/// <item>applies the event: <c>link.state_changed</c> through <see cref="LinkLifecycle.ApplyStateChangeAsync"/> (an older
/// <c>webhook_timestamp</c> never overwrites a newer one; <c>deleted</c> purges), <c>link.product_refresh</c> into a
/// per-product row (newest wins), <c>transactions.updates_available</c> by starting a coalesced background sync;</item>
/// <item>records the event in the link's recent-event rows, and marks the key processed with its outcome.</item>
/// </list>
/// Every effect is idempotent, so a takeover after a crash cannot apply anything twice. Logs carry the delivery
/// token, attempt, event type, link id and outcome only.
/// </summary>
public sealed class WebhookProcessor : IAsyncDisposable
{
    /// <summary>Row key prefix of the per-product refresh rows in a link's partition.</summary>
    public const string ProductRowPrefix = "prod_";

    private const string KeyRow = "key";
    private const string Processing = "processing";
    private const string Done = "done";

    private readonly BridgeTables tables;
    private readonly LinkLifecycle lifecycle;
    private readonly LinkSyncEngine syncEngine;
    private readonly WebhookOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<WebhookProcessor> logger;
    private readonly LinkStateStore states;
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

    /// <summary>The key row of an idempotency key in the <c>webhookkeys</c> table.</summary>
    public static (string PartitionKey, string RowKey) KeyRowOf(string idempotencyKey) => (TableKey.Encode(idempotencyKey), KeyRow);

    /// <summary>Processes one verified event (see the class summary). Throws only when <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task<WebhookProcessingResult> ProcessAsync(MoneyKitWebhookEvent webhookEvent, string? deliveryToken, int? attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        var delivery = new Delivery(webhookEvent, WebhookLog.SafeToken(deliveryToken), attempt);
        var now = time.GetUtcNow();
        ETag claim;
        try
        {
            var (claimOutcome, etag) = await ClaimAsync(delivery, now, cancellationToken);
            if (claimOutcome is { } settled)
            {
                Log(delivery, settled);
                return new WebhookProcessingResult(settled, Task.CompletedTask);
            }

            claim = etag;
        }
        catch (Exception e) when (IsStorageFailure(e, cancellationToken))
        {
            LogFailure(delivery, e);
            return new WebhookProcessingResult(WebhookOutcome.Failed, Task.CompletedTask);
        }

        try
        {
            var (outcome, work, known) = await ApplyAsync(webhookEvent, cancellationToken);
            if (known)
            {
                await RecordAsync(delivery, outcome, now, cancellationToken);
            }

            await CompleteAsync(delivery, claim, outcome, cancellationToken);
            if (known)
            {
                work = Track(work, TrimEventsAsync(webhookEvent.LinkId));
            }

            Log(delivery, outcome);
            return new WebhookProcessingResult(outcome, work);
        }
        catch (Exception e) when (IsStorageFailure(e, cancellationToken))
        {
            LogFailure(delivery, e);
            await ReleaseAsync(webhookEvent.WebhookIdempotencyKey, claim);
            return new WebhookProcessingResult(WebhookOutcome.Failed, Task.CompletedTask);
        }
    }

    /// <summary>Completes when every background sync and trim started so far has finished (tests, shutdown).</summary>
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

    /// <summary>Deletes idempotency keys received longer than <see cref="WebhookOptions.DedupeRetention"/> ago; returns how many.</summary>
    public async Task<int> PurgeExpiredKeysAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = time.GetUtcNow() - options.DedupeRetention;
        var deleted = 0;
        var filter = TableFilter.Create($"ReceivedAt lt {cutoff}");
        await foreach (var row in tables.WebhookKeys.QueryAsync(filter, select: ["ReceivedAt"], cancellationToken: cancellationToken))
        {
            await tables.WebhookKeys.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
            deleted++;
        }

        return deleted;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await WhenIdleAsync();
        stopping.Dispose();
    }

    private sealed record Delivery(MoneyKitWebhookEvent Event, string Token, int? Attempt);

    private static bool IsStorageFailure(Exception e, CancellationToken cancellationToken) =>
        e is RequestFailedException or InvalidOperationException or HttpRequestException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>Null outcome: this delivery owns the key (with the row's ETag); otherwise how it settled.</summary>
    private async Task<(WebhookOutcome? Outcome, ETag ETag)> ClaimAsync(Delivery delivery, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (partition, row) = KeyRowOf(delivery.Event.WebhookIdempotencyKey);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var entity = new TableEntity(partition, row)
            {
                ["Status"] = Processing,
                ["ReceivedAt"] = now,
                ["ClaimedAt"] = now,
                ["Event"] = delivery.Event.WebhookEvent,
                ["LinkId"] = delivery.Event.LinkId,
                ["WebhookTimestamp"] = delivery.Event.WebhookTimestamp,
                ["DeliveryToken"] = delivery.Token,
                ["Attempt"] = delivery.Attempt ?? 0,
            };
            try
            {
                return (null, await tables.WebhookKeys.AddEntityAsync(entity, cancellationToken));
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Seen before: look at how far that delivery got.
            }

            var existing = await tables.WebhookKeys.GetEntityIfExistsAsync(partition, row, cancellationToken: cancellationToken);
            if (existing is null)
            {
                continue; // Released by a failed twin meanwhile: claim again.
            }

            if (existing.GetString("Status") == Done)
            {
                return (WebhookOutcome.Duplicate, default);
            }

            if (existing.GetDateTimeOffset("ClaimedAt") is { } claimedAt && claimedAt + options.ProcessingLease > now)
            {
                return (WebhookOutcome.InProgress, default);
            }

            // The twin that claimed it never finished (crashed): take over. Effects are idempotent.
            existing["ClaimedAt"] = now;
            existing["DeliveryToken"] = delivery.Token;
            existing["Attempt"] = delivery.Attempt ?? 0;
            try
            {
                return (null, await tables.WebhookKeys.UpdateEntityAsync(existing, existing.ETag, merge: false, cancellationToken));
            }
            catch (TableConcurrencyException)
            {
                return (WebhookOutcome.InProgress, default);
            }
        }

        return (WebhookOutcome.InProgress, default);
    }

    private async Task CompleteAsync(Delivery delivery, ETag claim, WebhookOutcome outcome, CancellationToken cancellationToken)
    {
        var (partition, row) = KeyRowOf(delivery.Event.WebhookIdempotencyKey);
        var done = new TableEntity(partition, row)
        {
            ["Status"] = Done,
            ["Outcome"] = WebhookLog.Name(outcome),
            ["CompletedAt"] = time.GetUtcNow(),
        };
        try
        {
            await tables.WebhookKeys.UpdateEntityAsync(done, claim, merge: true, cancellationToken);
        }
        catch (TableConcurrencyException)
        {
            // Taken over by a later delivery after our lease ran out; it completes the row with the same (idempotent) result.
        }
    }

    private async Task ReleaseAsync(string idempotencyKey, ETag claim)
    {
        var (partition, row) = KeyRowOf(idempotencyKey);
        try
        {
            await tables.WebhookKeys.DeleteEntityAsync(partition, row, claim, CancellationToken.None);
        }
        catch (RequestFailedException)
        {
            // The claim expires after ProcessingLease anyway.
        }
    }

    /// <summary>The outcome, background work started, and whether the link is known (then the event is recorded in its partition).</summary>
    private async Task<(WebhookOutcome Outcome, Task Work, bool Known)> ApplyAsync(MoneyKitWebhookEvent e, CancellationToken cancellationToken)
    {
        var state = await states.GetAsync(e.LinkId, cancellationToken);
        if (state is null)
        {
            return (WebhookOutcome.UnknownLink, Task.CompletedTask, false);
        }

        if (e.WebhookMajorVersion != 1)
        {
            return (WebhookOutcome.UnsupportedVersion, Task.CompletedTask, true);
        }

        if (state.DeletedAt is not null)
        {
            return (WebhookOutcome.LinkDeleted, Task.CompletedTask, true);
        }

        switch (e.WebhookEvent)
        {
            case MoneyKitWebhookEvent.LinkStateChanged:
                if (e.State is not (MoneyKitLinkStates.Connecting or MoneyKitLinkStates.AwaitingTokenExchange or MoneyKitLinkStates.Connected or MoneyKitLinkStates.Deleted or MoneyKitLinkStates.Error))
                {
                    return (WebhookOutcome.UnknownState, Task.CompletedTask, true);
                }

                var applied = await lifecycle.ApplyStateChangeAsync(e.LinkId, e.State, e.Error, e.WebhookTimestamp, cancellationToken);
                return (applied ? WebhookOutcome.Applied : WebhookOutcome.Stale, Task.CompletedTask, true);

            case MoneyKitWebhookEvent.LinkProductRefresh:
                var recorded = await RecordProductRefreshAsync(e, cancellationToken);
                return (recorded ? WebhookOutcome.Applied : WebhookOutcome.Stale, Task.CompletedTask, true);

            case MoneyKitWebhookEvent.TransactionsUpdatesAvailable:
                return (WebhookOutcome.Applied, ScheduleSync(e.LinkId), true);

            default:
                return (WebhookOutcome.UnknownEvent, Task.CompletedTask, true);
        }
    }

    /// <summary>Upserts the product's row unless it already holds a newer refresh state; false when older.</summary>
    private async Task<bool> RecordProductRefreshAsync(MoneyKitWebhookEvent e, CancellationToken cancellationToken)
    {
        var partition = LinkRows.Partition(e.LinkId);
        var row = ProductRowPrefix + TableKey.Encode(e.Product!);
        var changedAt = e.StateChangedAt ?? e.WebhookTimestamp;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var current = await tables.Links.GetEntityIfExistsAsync(partition, row, cancellationToken: cancellationToken);
            if (current?.GetDateTimeOffset("StateChangedAt") is { } seen
                && (seen > changedAt || (seen == changedAt && Rank(current.GetString("State")) >= Rank(e.State))))
            {
                return false;
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
            try
            {
                if (current is null)
                {
                    await tables.Links.AddEntityAsync(next, cancellationToken);
                }
                else
                {
                    await tables.Links.UpdateEntityAsync(next, current.ETag, merge: false, cancellationToken);
                }

                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // A concurrent refresh event wrote first: compare again.
            }
        }

        throw new InvalidOperationException($"The product row of link {e.LinkId} kept changing.");
    }

    /// <summary>Orders refresh states of one instant: pending, in_progress, then a final state.</summary>
    private static int Rank(string? refreshState) => refreshState switch
    {
        "pending" => 0,
        "in_progress" => 1,
        _ => 2,
    };

    /// <summary>The link's recent-event row (one per event: a later delivery of the same event rewrites the same row).</summary>
    private async Task RecordAsync(Delivery delivery, WebhookOutcome outcome, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var e = delivery.Event;
        var entity = new TableEntity(LinkRows.Partition(e.LinkId), LinkRows.Event(e.WebhookTimestamp, e.WebhookIdempotencyKey))
        {
            ["Event"] = e.WebhookEvent,
            ["WebhookTimestamp"] = e.WebhookTimestamp,
            ["WebhookMajorVersion"] = e.WebhookMajorVersion,
            ["IdempotencyKey"] = e.WebhookIdempotencyKey,
            ["DeliveryToken"] = delivery.Token,
            ["Attempt"] = delivery.Attempt ?? 0,
            ["Outcome"] = WebhookLog.Name(outcome),
            ["ReceivedAt"] = receivedAt,
            ["State"] = e.State,
            ["ErrorCode"] = e.Error,
            ["Product"] = e.Product,
        };
        await tables.Links.UpsertEntityAsync(entity, merge: false, cancellationToken);
    }

    /// <summary>
    /// Trims a link's event rows on about one recorded event in <see cref="TrimEvery"/> (so the count stays near
    /// <see cref="WebhookOptions.MaxEventsPerLink"/> without a query per webhook).
    /// </summary>
    internal int TrimEvery { get; set; } = 8;

    /// <summary>Keeps the newest <see cref="WebhookOptions.MaxEventsPerLink"/> event rows (row keys sort newest first).</summary>
    private async Task TrimEventsAsync(string linkId)
    {
        if (TrimEvery > 1 && Random.Shared.Next(TrimEvery) != 0)
        {
            return;
        }

        var partition = LinkRows.Partition(linkId);
        var events = LinkRows.KindFilter(partition, LinkRows.EventPrefix);
        string? oldestKept = null;
        await foreach (var page in tables.Links.QueryPagesAsync(events, maxPerPage: options.MaxEventsPerLink + 1, select: ["RowKey"], cancellationToken: stopping.Token))
        {
            if (page.Values.Count > options.MaxEventsPerLink)
            {
                oldestKept = page.Values[options.MaxEventsPerLink - 1].RowKey;
            }

            break;
        }

        if (oldestKept is null)
        {
            return;
        }

        var older = new List<string>();
        await foreach (var row in tables.Links.QueryAsync(events + " and " + TableFilter.Create($"RowKey gt {oldestKept}"), select: ["RowKey"], cancellationToken: stopping.Token))
        {
            older.Add(row.RowKey);
        }

        foreach (var rowKey in older)
        {
            await tables.Links.DeleteEntityAsync(partition, rowKey, cancellationToken: stopping.Token);
        }
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
    private Task Track(Task work, Task? more = null)
    {
        var combined = more is null ? work : Task.WhenAll(work, more);
        var safe = Swallow(combined);
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

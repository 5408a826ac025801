using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// <c>link.state_changed</c> events wait on their link's lane in this process. One lane runner per link commits the
/// queued events together: decided in arrival order on the state row (an older <c>webhook_timestamp</c> never
/// overwrites a newer one; <c>deleted</c> is a tombstone at once), written as one entity group transaction (each
/// event's row plus the resulting state row, If-Match on its ETag) through <see cref="LinkStateStore"/>. A burst for
/// one link therefore costs one request instead of a queue of them, and twins in the same burst are told apart
/// before anything is written; other instances are ordered by the state row's ETag. After the commit a state change
/// updates the refresh index, a deletion purges the link's data (<see cref="LinkLifecycle.AfterStateStoredAsync"/>).
/// </summary>
internal sealed class StateChangeLanes(LinkStateStore states, WebhookEventRows events, LinkLifecycle lifecycle, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private const int MaxEventsPerTransaction = 99; // plus the state row: the service's limit of 100 actions
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<QueuedChange>> lanes = new(StringComparer.Ordinal);
    private readonly HashSet<Task> runners = [];

    /// <summary>A state change waiting on its link's lane.</summary>
    private sealed record QueuedChange(WebhookDelivery Delivery, TaskCompletionSource<WebhookOutcome> Done);

    /// <summary>Queues a state change on its link's lane and waits for its outcome.</summary>
    public async Task<WebhookOutcome> EnqueueAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
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
            Track(Task.Run(() => RunLaneAsync(linkId, newLane), CancellationToken.None));
        }

        var outcome = await waiting.Done.Task.WaitAsync(cancellationToken);
        if (outcome is not (WebhookOutcome.Failed or WebhookOutcome.Unstorable))
        {
            WebhookProcessingLog.Outcome(logger, delivery, outcome);
        }

        return outcome;
    }

    /// <summary>Completes when every lane has drained (tests, shutdown).</summary>
    public async Task WhenIdleAsync()
    {
        while (true)
        {
            Task[] pending;
            lock (gate)
            {
                pending = [.. runners];
            }

            if (pending.Length == 0)
            {
                return;
            }

            await Task.WhenAll(pending);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await WhenIdleAsync();
        stopping.Dispose();
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
            WebhookProcessingLog.Unstorable(logger, group[0].Delivery, e);
            group[0].Done.TrySetResult(WebhookOutcome.Unstorable);
        }
        catch (Exception e) when (StorageErrors.IsOutage(e, CancellationToken.None))
        {
            foreach (var change in group)
            {
                WebhookProcessingLog.Failed(logger, change.Delivery, e);
                change.Done.TrySetResult(WebhookOutcome.Failed);
            }
        }
    }

    /// <summary>
    /// Decides and commits a group of state changes of one link; returns each one's outcome. The first round starts
    /// from the store's last known copy (the write is conditional on its ETag, and an older copy can only make an
    /// event look newer, never stale); every later round reads the row. An event row that already exists (a delivery
    /// committed before) makes its event a duplicate and the rest is decided again.
    /// </summary>
    private async Task<List<(QueuedChange Change, WebhookOutcome Outcome)>> CommitStateChangesAsync(string linkId, QueuedChange[] group)
    {
        var cancellationToken = stopping.Token;
        var now = time.GetUtcNow();
        var settled = new List<(QueuedChange, WebhookOutcome)>();
        var remaining = group.ToList();
        for (var round = 0; round < 20 && remaining.Count > 0; round++)
        {
            var before = round == 0 ? await states.GetLastKnownAsync(linkId, cancellationToken) : await states.GetAsync(linkId, cancellationToken);
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

                var outcome = WebhookPrecheck.Settle(e, current) ?? (WebhookPrecheck.IsKnownState(e.State) ? WebhookOutcome.Stale : WebhookOutcome.UnknownState);
                if (outcome == WebhookOutcome.Stale && LinkLifecycle.AfterStateChange(current!, e.State!, e.Error, e.WebhookTimestamp, now) is { } next)
                {
                    current = next;
                    outcome = WebhookOutcome.Applied;
                }

                planned.Add((change, outcome));
                actions.Add(new(TableTransactionActionType.Add, WebhookEventRows.Row(change.Delivery, outcome, now)));
            }

            var changed = ReferenceEquals(current, before) ? null : current;
            if (changed is not null)
            {
                actions.Add(changed.WriteOver(before!));
            }

            ETag etag;
            try
            {
                etag = await states.SubmitAsync(linkId, actions, changed, cancellationToken);
            }
            catch (RequestFailedException x) when (x.Status == 409)
            {
                // An event row exists: that event was committed by an earlier delivery. Settle it and decide the rest again.
                var rows = planned.Where(p => p.Outcome != WebhookOutcome.Duplicate).ToList();
                var index = x is TableTransactionFailedException { FailedTransactionActionIndex: { } i } ? i : actions.Count == 1 ? 0 : (int?)null;
                var committedBefore = index is { } at && at < rows.Count
                    ? [rows[at].Change]
                    : await ExistingAsync(rows.Select(r => r.Change), cancellationToken);
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
            if (changed is not null)
            {
                try
                {
                    await lifecycle.AfterStateStoredAsync(before!, changed with { ETag = etag }, cancellationToken);
                }
                catch (Exception e) when (StorageErrors.IsOutage(e, CancellationToken.None))
                {
                    // The events are settled (their rows and the state are stored); the refresh index or the purge
                    // of a deleted link's data is what failed. A disconnect through the API purges again.
                    WebhookProcessingLog.FollowUpFailed(logger, linkId, e.GetType().Name);
                }
            }
        }

        if (remaining.Count > 0)
        {
            throw new InvalidOperationException($"The state of link {linkId} kept changing while webhooks were applied.");
        }

        return settled;
    }

    /// <summary>Which of <paramref name="changes"/> already have their event row.</summary>
    private async Task<List<QueuedChange>> ExistingAsync(IEnumerable<QueuedChange> changes, CancellationToken cancellationToken)
    {
        var existing = new List<QueuedChange>();
        foreach (var change in changes)
        {
            if (await events.ExistsAsync(change.Delivery.Event, cancellationToken))
            {
                existing.Add(change);
            }
        }

        return existing;
    }

    /// <summary>Tracks a lane runner for <see cref="WhenIdleAsync"/>; the tracked task never faults.</summary>
    private void Track(Task work)
    {
        var safe = Swallow(work);
        lock (gate)
        {
            runners.Add(safe);
        }

        _ = safe.ContinueWith(
            t =>
            {
                lock (gate)
                {
                    runners.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        async Task Swallow(Task task)
        {
            try
            {
                await task;
            }
            catch (Exception e) when (e is RequestFailedException or OperationCanceledException or InvalidOperationException or HttpRequestException)
            {
                WebhookProcessingLog.LaneFailed(logger, e.GetType().Name);
            }
        }
    }
}

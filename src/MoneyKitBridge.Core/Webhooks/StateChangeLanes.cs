using Azure;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// <c>link.state_changed</c> events wait on their link's lane in this process. One lane runner per link commits the
/// queued events together: decided in arrival order on the state row (an older <c>webhook_timestamp</c> never
/// overwrites a newer one; <c>deleted</c> is a tombstone at once), written as one entity group transaction (each
/// event's row plus the resulting state row, If-Match on its ETag). A burst for
/// one link therefore costs one request instead of a queue of them, and twins in the same burst are told apart
/// before anything is written (<see cref="StateChangeTransaction"/>); other instances are ordered by the state row's
/// ETag.
/// </summary>
internal sealed class StateChangeLanes(StateChangeTransaction transaction, ILogger logger) : IAsyncDisposable
{
    private const int MaxEventsPerTransaction = 99; // plus the state row: the service's limit of 100 actions
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<QueuedStateChange>> lanes = new(StringComparer.Ordinal);
    private readonly HashSet<Task> runners = [];

    /// <summary>Queues a state change on its link's lane and waits for its outcome.</summary>
    public async Task<WebhookOutcome> EnqueueAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var waiting = new QueuedStateChange(delivery, new TaskCompletionSource<WebhookOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        var linkId = delivery.Event.LinkId;
        List<QueuedStateChange>? newLane = null;
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

    private async Task RunLaneAsync(string linkId, List<QueuedStateChange> lane)
    {
        while (true)
        {
            QueuedStateChange[] group;
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
    private async Task CommitGroupAsync(string linkId, QueuedStateChange[] group)
    {
        try
        {
            foreach (var (change, outcome) in await transaction.CommitAsync(linkId, group, stopping.Token))
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

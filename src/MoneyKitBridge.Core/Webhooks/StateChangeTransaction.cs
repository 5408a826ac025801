using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// Decides a group of <c>link.state_changed</c> events of one link on its state row, in arrival order, and commits
/// them as one write through <see cref="LinkStateStore"/>: the resulting state row (If-Match on the ETag it was decided
/// on), which records the events it applied (<see cref="LinkState.AppliedStateChanges"/>: their deduplication record),
/// plus an event row for each event it did not apply (stale, unknown state, ...) — in the common case of one event
/// that changes the state, a single update. After the commit a state change updates the refresh index and
/// a deletion purges the link's data (<see cref="LinkLifecycle.AfterStateStoredAsync"/>).
/// </summary>
internal sealed class StateChangeTransaction(LinkStateStore states, WebhookEventRows events, DeferredEventRows history, LinkLifecycle lifecycle, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Decides and commits a group of state changes of one link; returns each one's outcome. The first round starts
    /// from the store's last known copy (the write is conditional on its ETag, and an older copy can only make an
    /// event look newer, never stale); every later round reads the row. An event the state row lists as applied is a
    /// duplicate. An event row that already exists (a delivery
    /// committed before) makes its event a duplicate and the rest is decided again.
    /// </summary>
    public async Task<List<(QueuedStateChange Change, WebhookOutcome Outcome)>> CommitAsync(string linkId, QueuedStateChange[] group, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settled = new List<(QueuedStateChange, WebhookOutcome)>();
        var remaining = group.ToList();
        for (var round = 0; round < 20 && remaining.Count > 0; round++)
        {
            var before = round == 0 ? await states.GetLastKnownAsync(linkId, cancellationToken) : await states.GetAsync(linkId, cancellationToken);
            var current = before;
            var planned = new List<(QueuedStateChange Change, WebhookOutcome Outcome)>();
            var actions = new List<TableTransactionAction>();
            var rowChanges = new List<QueuedStateChange>(); // the change of each event row in actions, in order
            var applied = new List<QueuedStateChange>();
            var landed = new List<QueuedStateChange>(); // applied by an earlier round of this commit whose answer was lost
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var change in remaining)
            {
                var e = change.Delivery.Event;
                var record = current?.Applied(e.WebhookIdempotencyKey);
                if (round > 0 && record is not null && record.CommitId == change.CommitId && keys.Add(e.WebhookIdempotencyKey))
                {
                    // This very delivery's write landed though its answer was lost (the client retried it and met the
                    // new ETag): it is applied, not a duplicate; its event row is still to be written.
                    planned.Add((change, WebhookOutcome.Applied));
                    landed.Add(change);
                    continue;
                }

                if (!keys.Add(e.WebhookIdempotencyKey) || record is not null || history.IsPending(linkId, e.WebhookIdempotencyKey))
                {
                    planned.Add((change, WebhookOutcome.Duplicate)); // its twin in this group, or an earlier delivery, applied it
                    continue;
                }

                var outcome = WebhookPrecheck.Settle(e, current) ?? (WebhookPrecheck.IsKnownState(e.State) ? WebhookOutcome.Stale : WebhookOutcome.UnknownState);
                if (outcome == WebhookOutcome.Stale && LinkLifecycle.AfterStateChange(current!, e.State!, e.Error, e.WebhookTimestamp, now) is { } next)
                {
                    // Recorded on the state row itself: one write applies and deduplicates it.
                    current = next.WithApplied(new AppliedStateChange(e.WebhookIdempotencyKey, e.WebhookTimestamp, now, change.Delivery.Attempt ?? 0, e.State!, next.ErrorCode, change.CommitId));
                    planned.Add((change, WebhookOutcome.Applied));
                    applied.Add(change);
                    continue;
                }

                planned.Add((change, outcome));
                actions.Add(new(TableTransactionActionType.Add, WebhookEventRows.Row(change.Delivery, outcome, now)));
                rowChanges.Add(change);
            }

            // The event rows of applied events are written after the acknowledgement while the state row lists them;
            // the ones this commit pushes off the list already (or all, when too many wait) are written with it.
            var deferred = history.HasRoom(applied.Count + landed.Count) ? [.. landed, .. applied.Skip(Math.Max(0, applied.Count - AppliedStateChange.Kept))] : landed;
            foreach (var change in applied.Except(deferred).Concat(landed.Except(deferred)))
            {
                actions.Add(new(TableTransactionActionType.Add, WebhookEventRows.Row(change.Delivery, WebhookOutcome.Applied, now)));
                rowChanges.Add(change);
            }

            var changed = ReferenceEquals(current, before) ? null : current;
            if (changed is not null)
            {
                actions.Add(changed.WriteOver(before!));
            }

            ETag etag = default;
            try
            {
                if (actions.Count > 0)
                {
                    etag = await states.SubmitAsync(linkId, actions, changed, cancellationToken);
                }
            }
            catch (RequestFailedException x) when (x.Status == 409)
            {
                // An event row exists: that event was committed by an earlier delivery. Settle it and decide the rest again.
                var index = x is TableTransactionFailedException { FailedTransactionActionIndex: { } i } ? i : actions.Count == 1 ? 0 : (int?)null;
                var committedBefore = index is { } at && at < rowChanges.Count
                    ? [rowChanges[at]]
                    : await ExistingAsync(rowChanges, cancellationToken);
                foreach (var change in committedBefore)
                {
                    settled.Add((change, WebhookOutcome.Duplicate));
                    remaining.Remove(change);
                }

                continue;
            }
            catch (RequestFailedException x) when (x.Status == 412)
            {
                continue; // The state row changed since it was read (the store dropped its copy): read it again.
            }

            settled.AddRange(planned);
            remaining.Clear();
            history.Add([.. deferred.Select(c => WebhookEventRows.Row(c.Delivery, WebhookOutcome.Applied, now))]);
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
    private async Task<List<QueuedStateChange>> ExistingAsync(IEnumerable<QueuedStateChange> changes, CancellationToken cancellationToken)
    {
        var existing = new List<QueuedStateChange>();
        foreach (var change in changes)
        {
            if (await events.ExistsAsync(change.Delivery.Event, cancellationToken))
            {
                existing.Add(change);
            }
        }

        return existing;
    }
}

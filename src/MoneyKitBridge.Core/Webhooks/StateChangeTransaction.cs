using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// Decides a group of <c>link.state_changed</c> events of one link on its state row, in arrival order, and commits
/// them as one entity group transaction through <see cref="LinkStateStore"/>: each event's row plus the resulting
/// state row (If-Match on the ETag it was decided on). After the commit a state change updates the refresh index and
/// a deletion purges the link's data (<see cref="LinkLifecycle.AfterStateStoredAsync"/>).
/// </summary>
internal sealed class StateChangeTransaction(LinkStateStore states, WebhookEventRows events, LinkLifecycle lifecycle, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Decides and commits a group of state changes of one link; returns each one's outcome. The first round starts
    /// from the store's last known copy (the write is conditional on its ETag, and an older copy can only make an
    /// event look newer, never stale); every later round reads the row. An event row that already exists (a delivery
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

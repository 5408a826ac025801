using Azure;
using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// Event rows in their link's <c>linkstates</c> partition, keyed by <c>webhook_idempotency_key</c>: the
/// deduplication record (inserted only if absent, so a second delivery is a duplicate) and the link's recent-event
/// history, kept for <see cref="WebhookOptions.DedupeRetention"/> and then purged by the timer.
/// </summary>
internal sealed class WebhookEventRows(BridgeTables tables, TimeProvider time, WebhookOptions options)
{
    /// <summary>The delivery's row recording <paramref name="outcome"/>.</summary>
    public static TableEntity Row(WebhookDelivery delivery, WebhookOutcome outcome, DateTimeOffset receivedAt)
    {
        var e = delivery.Event;
        return new WebhookEventRow(
            e.LinkId, e.WebhookIdempotencyKey, e.WebhookEvent, e.WebhookTimestamp, e.WebhookMajorVersion, delivery.Token, delivery.Attempt ?? 0,
            WebhookLog.Name(outcome), receivedAt, e.State, e.Error, e.Product).ToEntity();
    }

    /// <summary>Inserts the row if absent: <paramref name="outcome"/>, or <see cref="WebhookOutcome.Duplicate"/> when an earlier delivery stored it.</summary>
    public async Task<WebhookOutcome> InsertAsync(TableEntity row, WebhookOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            await tables.States.AddCheckedAsync(row, cancellationToken);
            return outcome;
        }
        catch (RequestFailedException x) when (x.Status == 409)
        {
            return WebhookOutcome.Duplicate;
        }
    }

    /// <summary>Whether the event's row exists (an earlier delivery committed it).</summary>
    public async Task<bool> ExistsAsync(MoneyKitWebhookEvent e, CancellationToken cancellationToken)
    {
        var row = await tables.States.GetEntityIfExistsAsync<TableEntity>(LinkRows.Partition(e.LinkId), LinkRows.Event(e.WebhookIdempotencyKey), select: [WebhookEventRow.OutcomeColumn], cancellationToken: cancellationToken);
        return row.HasValue;
    }

    /// <summary>Deletes event rows received longer than <see cref="WebhookOptions.DedupeRetention"/> ago; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
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
}

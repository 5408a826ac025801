using Azure;
using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// <c>link.product_refresh</c>: the product's row in its link's <c>linkstates</c> partition holds the newest refresh
/// state (newest <c>state_changed_at</c> wins; at one instant pending &lt; in_progress &lt; a final state). The event
/// row and the product row commit in one transaction, the product row conditional on the ETag it was read with.
/// Refreshes of one link are applied one at a time in this process (a concurrent twin would only lose its ETag race
/// and pay a re-read); other instances are still ordered by the ETags.
/// </summary>
internal sealed class ProductRefreshRows(BridgeTables tables) : IDisposable
{
    private const int LinkStripes = 1024;
    private readonly SemaphoreSlim[] linkStripes = [.. Enumerable.Range(0, LinkStripes).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>Waits for the link's turn; release the returned semaphore when done.</summary>
    public async Task<SemaphoreSlim> EnterAsync(string linkId, CancellationToken cancellationToken)
    {
        var stripe = linkStripes[(uint)StringComparer.Ordinal.GetHashCode(linkId) % LinkStripes];
        await stripe.WaitAsync(cancellationToken);
        return stripe;
    }

    /// <summary>The product's next row, or null when the stored row already holds a newer refresh state (the event is stale).</summary>
    public async Task<ProductRefreshRow?> NextAsync(MoneyKitWebhookEvent e, CancellationToken cancellationToken)
    {
        var product = e.Product ?? string.Empty;
        var changedAt = e.StateChangedAt ?? e.WebhookTimestamp;
        var response = await tables.States.GetEntityIfExistsAsync<TableEntity>(LinkRows.Partition(e.LinkId), LinkRows.Product(product), cancellationToken: cancellationToken);
        var current = response.HasValue ? ProductRefreshRow.FromEntity(e.LinkId, response.Value!) : null;
        if (current is not null && (current.StateChangedAt > changedAt || (current.StateChangedAt == changedAt && Rank(current.State) >= Rank(e.State))))
        {
            return null;
        }

        return new ProductRefreshRow(e.LinkId, product, e.State, changedAt, e.ErrorMessage, e.WebhookTimestamp, e.WebhookIdempotencyKey) { ETag = current?.ETag ?? default };
    }

    /// <summary>
    /// Writes the event row and the product's row in one transaction. Returns <paramref name="outcome"/> when
    /// committed, <see cref="WebhookOutcome.Duplicate"/> when the event row existed, null when the product row changed
    /// since it was read.
    /// </summary>
    public async Task<WebhookOutcome?> CommitAsync(TableEntity eventRow, ProductRefreshRow product, WebhookOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            await tables.States.SubmitCheckedAsync(
                [
                    new(TableTransactionActionType.Add, eventRow),
                    product.ETag == default
                        ? new(TableTransactionActionType.Add, product.ToEntity())
                        : new(TableTransactionActionType.UpdateReplace, product.ToEntity(), product.ETag),
                ],
                cancellationToken);
            return outcome;
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

    public void Dispose()
    {
        foreach (var stripe in linkStripes)
        {
            stripe.Dispose();
        }
    }

    /// <summary>Orders refresh states of one instant: pending, in_progress, then a final state.</summary>
    private static int Rank(string? refreshState) => refreshState switch
    {
        "pending" => 0,
        "in_progress" => 1,
        _ => 2,
    };
}

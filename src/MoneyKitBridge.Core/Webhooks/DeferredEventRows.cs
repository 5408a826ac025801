using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// Writes the event rows of applied <c>link.state_changed</c> events after their acknowledgement. The write that
/// applied an event already recorded it on the state row (<see cref="LinkState.AppliedStateChanges"/>, the newest few),
/// which is what deduplicates a redelivery; the event row is its lasting history and the deduplication record once it
/// drops off that list. Until written, a row is <see cref="IsPending"/> (a redelivery in this process is still a
/// duplicate). At most <see cref="MaxPending"/> rows wait: beyond that the state change writes its row itself (the
/// acknowledgement then waits for it). A crash loses only waiting rows, never a state or its newest records.
/// </summary>
internal sealed class DeferredEventRows(BridgeTables tables, ILogger logger) : IAsyncDisposable
{
    public const int MaxPending = 10_000;
    private const int MaxRowsPerRequest = 10;
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<TableEntity>> waiting = new(StringComparer.Ordinal); // by link partition
    private readonly Queue<string> partitions = new(); // partitions with waiting rows, oldest first
    private readonly HashSet<(string Partition, string Row)> pending = [];
    private Task runner = Task.CompletedTask;
    private bool running;

    /// <summary>Whether <paramref name="count"/> more rows may wait.</summary>
    public bool HasRoom(int count)
    {
        lock (gate)
        {
            return pending.Count + count <= MaxPending;
        }
    }

    /// <summary>Whether the event row of <paramref name="idempotencyKey"/> waits to be written.</summary>
    public bool IsPending(string linkId, string idempotencyKey)
    {
        lock (gate)
        {
            return pending.Count > 0 && pending.Contains((LinkRows.Partition(linkId), LinkRows.Event(idempotencyKey)));
        }
    }

    /// <summary>Queues <paramref name="rows"/> (event rows of committed state changes) to be written in the background.</summary>
    public void Add(IReadOnlyList<TableEntity> rows)
    {
        lock (gate)
        {
            foreach (var row in rows)
            {
                if (pending.Add((row.PartitionKey, row.RowKey)))
                {
                    if (!waiting.TryGetValue(row.PartitionKey, out var list))
                    {
                        waiting[row.PartitionKey] = list = [];
                        partitions.Enqueue(row.PartitionKey);
                    }

                    list.Add(row);
                }
            }

            if (!running && partitions.Count > 0)
            {
                running = true;
                runner = Task.Run(RunAsync, CancellationToken.None);
            }
        }
    }

    /// <summary>Completes when every row queued so far was written (or failed and was logged).</summary>
    public async Task WhenIdleAsync()
    {
        while (true)
        {
            Task current;
            lock (gate)
            {
                if (!running)
                {
                    return;
                }

                current = runner;
            }

            await current;
        }
    }

    public async ValueTask DisposeAsync() => await WhenIdleAsync();

    /// <summary>
    /// Writes one request at a time, so the rows take little of the storage's time from acknowledgements: the oldest
    /// link's waiting rows (up to 10, one entity group transaction: a short request, so acknowledgements never queue long behind it), then the next link's. The more rows wait, the
    /// more each request carries.
    /// </summary>
    private async Task RunAsync()
    {
        while (true)
        {
            List<TableEntity> rows;
            lock (gate)
            {
                if (!partitions.TryDequeue(out var partition))
                {
                    running = false;
                    return;
                }

                var list = waiting[partition];
                rows = list.Take(MaxRowsPerRequest).ToList();
                list.RemoveRange(0, rows.Count);
                if (list.Count > 0)
                {
                    partitions.Enqueue(partition);
                }
                else
                {
                    waiting.Remove(partition);
                }
            }

            await WriteAsync(rows);
        }
    }

    private async Task WriteAsync(List<TableEntity> rows)
    {
        try
        {
            // An upsert: a row of the same event stored by an earlier delivery (say, before its link was known) gives way to the applied one.
            if (rows.Count == 1)
            {
                await tables.States.UpsertCheckedAsync(rows[0], TableUpdateMode.Replace);
            }
            else
            {
                await tables.States.SubmitCheckedAsync([.. rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r))]);
            }
        }
        catch (Exception e) when (StorageErrors.IsOutage(e, CancellationToken.None) || e is Azure.RequestFailedException or ArgumentException or InvalidOperationException)
        {
            WebhookProcessingLog.HistoryNotWritten(logger, rows.Count, e.GetType().Name);
        }
        finally
        {
            lock (gate)
            {
                foreach (var row in rows)
                {
                    pending.Remove((row.PartitionKey, row.RowKey));
                }
            }
        }
    }
}

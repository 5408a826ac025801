using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// Writes the event rows of applied <c>link.state_changed</c> events after their acknowledgement (write-behind). The
/// write that applied an event already recorded it on the state row (<see cref="LinkState.AppliedStateChanges"/>, the
/// newest few), which is what deduplicates a redelivery; the event row is its lasting history and the deduplication
/// record once it drops off that list. Until written, a row is <see cref="IsPending"/> (a redelivery in this process
/// is still a duplicate).
/// <para>
/// Rows are written in quiet moments, so they do not take the storage's time from acknowledgements in a burst: while no
/// webhook is being processed in this process (<see cref="Enter"/>/<see cref="Exit"/>), or while
/// <see cref="HighWater"/> or more rows wait (so under sustained load they are written all along), or when asked to
/// (<see cref="FlushAsync"/>, also on disposal). One request at a time, of one link's rows. At most
/// <see cref="MaxPending"/> rows wait: beyond that a state change writes its row itself (the acknowledgement then waits
/// for it). A crash loses only waiting rows, never a state or its newest records.
/// </para>
/// </summary>
internal sealed class DeferredEventRows(BridgeTables tables, ILogger logger) : IAsyncDisposable
{
    public const int MaxPending = 10_000;
    public const int HighWater = 5_000;
    private const int MaxRowsPerRequest = 10;
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<TableEntity>> waiting = new(StringComparer.Ordinal); // by link partition
    private readonly Queue<string> partitions = new(); // partitions with waiting rows, oldest first
    private readonly HashSet<(string Partition, string Row)> pending = [];
    private TaskCompletionSource wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task runner = Task.CompletedTask;
    private bool running;
    private bool flushing;
    private int processing;

    /// <summary>A webhook is being processed: rows wait (unless <see cref="HighWater"/> rows do).</summary>
    public void Enter() => Interlocked.Increment(ref processing);

    /// <summary>A webhook was answered: when it was the last one in progress, waiting rows are written.</summary>
    public void Exit()
    {
        if (Interlocked.Decrement(ref processing) == 0)
        {
            lock (gate)
            {
                wake.TrySetResult();
            }
        }
    }

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
        var row = (LinkRows.Partition(linkId), LinkRows.Event(idempotencyKey)); // encoded outside the lock
        lock (gate)
        {
            return pending.Contains(row);
        }
    }

    /// <summary>Queues <paramref name="rows"/> (event rows of committed state changes) to be written in the background.</summary>
    public void Add(IReadOnlyList<TableEntity> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

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
            else if (pending.Count >= HighWater)
            {
                wake.TrySetResult();
            }
        }
    }

    /// <summary>Writes every row queued so far now, and completes when they are written (or failed and were logged).</summary>
    public async Task FlushAsync()
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

                flushing = true;
                wake.TrySetResult();
                current = runner;
            }

            await current;
        }
    }

    public async ValueTask DisposeAsync() => await FlushAsync();

    private async Task RunAsync()
    {
        while (true)
        {
            List<TableEntity>? rows = null;
            Task woken;
            lock (gate)
            {
                if (partitions.Count == 0)
                {
                    running = false;
                    flushing = false;
                    return;
                }

                if (flushing || pending.Count >= HighWater || Volatile.Read(ref processing) == 0)
                {
                    rows = Take();
                }

                if (wake.Task.IsCompleted)
                {
                    wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                woken = wake.Task;
            }

            if (rows is null)
            {
                await woken; // by the last webhook in progress, a flush, or rows reaching the high-water mark
                continue;
            }

            await WriteAsync(rows);
        }
    }

    /// <summary>The oldest link's waiting rows, up to 10 (one short request: acknowledgements never queue long behind it).</summary>
    private List<TableEntity> Take()
    {
        var partition = partitions.Dequeue();
        var list = waiting[partition];
        var rows = list.Take(MaxRowsPerRequest).ToList();
        list.RemoveRange(0, rows.Count);
        if (list.Count > 0)
        {
            partitions.Enqueue(partition);
        }
        else
        {
            waiting.Remove(partition);
        }

        return rows;
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

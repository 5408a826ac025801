using System.Diagnostics;
using System.Globalization;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using Azure.Data.Tables;

namespace MoneyKitBridge.Bench;

/// <summary>
/// Issue 4: initial sync of a 10,000-transaction history with <see cref="LinkSyncEngine"/> (page size 500), as a
/// ratio to Azurite's raw batch-insert throughput for the same entities (same partition, batches of 100, the
/// engine's batch concurrency) on a fresh table in the same run; then an incremental sync after a few upstream
/// changes, counting the Table writes it makes. With <c>explain</c>, each run also measures where the time goes:
/// fetching the same history from MoneyKit alone, and a raw batch upsert (the engine's operation) of the same entities.
/// </summary>
public sealed class SyncBenchmark(string connectionString, TextWriter output, bool explain)
{
    public const int Transactions = 10_000;
    public const int PageSize = 500;
    public const int Repetitions = 5;
    public const int PatchedTransactions = 5;
    public const double Target = 0.9;

    /// <summary>The batch concurrency the engine uses by default; the baseline uses the same.</summary>
    private static readonly int Concurrency = new SyncOptions().MaxParallelBatches;

    public async Task<double> RunAsync()
    {
        output.WriteLine($"== sync: initial sync of {Transactions:N0} transactions (page size {PageSize}) vs raw batch insert (batches of 100, {Concurrency} concurrent), {Repetitions} runs ==");
        // A full-size warm-up: with only 1,000 transactions the first measured sync still paid for growing the heap and
        // Azurite's store (its ratio was 0.72-0.86 where later runs gave 0.81-1.0).
        output.WriteLine($"warm-up (JIT, connections, heap and store growth): {Transactions:N0} transactions, not measured");
        await RunOnceAsync(Transactions);

        var runs = new List<Run>();
        for (var i = 1; i <= Repetitions; i++)
        {
            runs.Add(await RunOnceAsync(Transactions));
            output.WriteLine($"run {i} done");
        }

        output.WriteLine();
        var initial = new ResultTable("run", "applied", "pages", "sync time", "sync tx/s", "table requests", "baseline time", "baseline tx/s", "ratio");
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            initial.Add(i + 1, r.Applied, r.Pages, r.SyncTime, r.SyncRate, r.SyncRequests, r.BaselineTime, r.BaselineRate, r.Ratio);
        }

        var ratio = ResultTable.Median(runs.Select(r => r.Ratio));
        initial.Add(
            "median",
            string.Empty,
            string.Empty,
            TimeSpan.FromSeconds(ResultTable.Median(runs.Select(r => r.SyncTime.TotalSeconds))),
            ResultTable.Median(runs.Select(r => r.SyncRate)),
            string.Empty,
            TimeSpan.FromSeconds(ResultTable.Median(runs.Select(r => r.BaselineTime.TotalSeconds))),
            ResultTable.Median(runs.Select(r => r.BaselineRate)),
            ratio);
        initial.Print(output);
        if (explain)
        {
            var why = new ResultTable("run", "MoneyKit fetch only", "raw batch upsert time", "upsert tx/s", "upsert / insert", "sync / raw upsert");
            for (var i = 0; i < runs.Count; i++)
            {
                var r = runs[i];
                why.Add(i + 1, r.FetchTime!.Value, r.UpsertTime!.Value, r.UpsertRate, r.UpsertRate / r.BaselineRate, r.SyncRate / r.UpsertRate);
            }

            why.Add(
                "median",
                TimeSpan.FromSeconds(ResultTable.Median(runs.Select(r => r.FetchTime!.Value.TotalSeconds))),
                TimeSpan.FromSeconds(ResultTable.Median(runs.Select(r => r.UpsertTime!.Value.TotalSeconds))),
                ResultTable.Median(runs.Select(r => r.UpsertRate)),
                ResultTable.Median(runs.Select(r => r.UpsertRate / r.BaselineRate)),
                ResultTable.Median(runs.Select(r => r.SyncRate / r.UpsertRate)));
            output.WriteLine("Where the time goes (--explain): the same history fetched from MoneyKit without storing it, and the same entities");
            output.WriteLine("written as raw batch UpsertReplace (the engine's operation; needed so a replayed page is idempotent) on a fresh table:");
            why.Print(output);
        }

        output.WriteLine($"Incremental sync after PATCHing {PatchedTransactions} transactions upstream and a transactions refresh (which also settles the pending one and adds new ones):");
        var incremental = new ResultTable("run", "MoneyKit created", "updated", "removed", "table requests", "transaction rows written", "other rows written", "only changed rows", "sync time");
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i].Incremental;
            incremental.Add(i + 1, r.Created, r.Updated, r.Removed, r.Requests, r.TransactionWrites, r.OtherWrites, r.OnlyChanged ? "yes" : "NO", r.Time);
        }

        incremental.Print(output);
        output.WriteLine("  other rows = link state row commits, account rows, sync history row, refresh index row.");
        var onlyChanged = runs.All(r => r.Incremental.OnlyChanged);
        output.WriteLine($"INCREMENTAL writes only changed transactions: {(onlyChanged ? "yes" : "NO")} (median {ResultTable.Median(runs.Select(r => (double)r.Incremental.TransactionWrites)):0} transaction rows written of {Transactions:N0} stored)");
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"RATIO sync: {ratio:0.000} = initial-sync tx/s / raw batch-insert tx/s (median of {Repetitions} paired runs; target >= {Target}) {(ratio >= Target ? "MET" : "NOT MET")}"));
        output.WriteLine();
        return ratio;
    }

    private async Task<Run> RunOnceAsync(int transactions)
    {
        await using var bridge = await BenchBridge.StartAsync(connectionString, PageSize);
        var linkId = await bridge.CreateLinkAsync(transactions);

        bridge.Traffic.Reset();
        var clock = Stopwatch.StartNew();
        var outcome = await bridge.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        clock.Stop();
        var syncTime = clock.Elapsed;
        var syncRequests = bridge.Traffic.Requests;
        Expect(outcome.Status == SyncStatus.Completed, $"initial sync ended {outcome.Status} {outcome.Error}");
        var applied = outcome.Created + outcome.Updated;
        Expect(applied == transactions, $"initial sync applied {applied} transactions, expected {transactions}");
        Expect(bridge.Traffic.Writes("transaction") == transactions, $"initial sync wrote {bridge.Traffic.Writes("transaction")} transaction rows ({string.Join(", ", bridge.Traffic.WritesByKind.Select(k => $"{k.Key}: {k.Value}"))}; {bridge.Traffic.Requests} requests)");

        // The very rows the sync stored: the baseline inserts these same entities.
        var partition = LinkRows.Partition(linkId);
        var stored = new List<TableEntity>();
        await foreach (var row in bridge.Tables.Links.QueryAsync<TableEntity>(LinkRows.KindFilter(partition, LinkRows.TransactionPrefix)))
        {
            stored.Add(Copy(row));
        }

        Expect(stored.Count == transactions, $"{stored.Count} transaction rows stored, expected {transactions}");
        TimeSpan? fetchTime = explain ? await FetchOnlyAsync(bridge, linkId, transactions) : null;
        var incremental = await IncrementalAsync(bridge, linkId, stored);

        // Same Azurite state for the baseline: the sync's tables are gone before it starts.
        await bridge.Tables.DeleteAllAsync();
        var (baselineTime, baselineRequests) = await BaselineBatchesAsync(bridge, stored, TableTransactionActionType.Add);
        Expect(baselineRequests == (transactions + 99) / 100, $"baseline sent {baselineRequests} batches");
        var run = new Run(applied, outcome.Pages, syncTime, syncRequests, baselineTime, incremental);
        if (explain)
        {
            var upsert = await BaselineBatchesAsync(bridge, stored, TableTransactionActionType.UpsertReplace);
            run = run with { FetchTime = fetchTime, UpsertTime = upsert.Time };
        }

        return run;
    }

    private static async Task<IncrementalRun> IncrementalAsync(BenchBridge bridge, string linkId, List<TableEntity> stored)
    {
        // Change a few posted transactions upstream (spread over the history), then let MoneyKit refresh.
        var posted = stored.Where(e => e.GetBoolean("Pending") != true).ToList();
        for (var i = 0; i < PatchedTransactions; i++)
        {
            var row = posted[i * posted.Count / PatchedTransactions];
            await bridge.PatchTransactionAsync(linkId, row.GetString("TransactionId")!, 1234.56m + i, "bench change " + i.ToString(CultureInfo.InvariantCulture));
        }

        await bridge.MoneyKit.RefreshProductsAsync(linkId, ["transactions"]);

        bridge.Traffic.Reset();
        var clock = Stopwatch.StartNew();
        var outcome = await bridge.Engine.SyncAsync(linkId, SyncTrigger.Webhook);
        clock.Stop();
        Expect(outcome.Status == SyncStatus.Completed, $"incremental sync ended {outcome.Status} {outcome.Error}");
        var transactionWrites = bridge.Traffic.Writes("transaction");
        var changed = outcome.Created + outcome.Updated + outcome.Removed + outcome.PendingReplaced;

        // Only changed: every transaction row written is one MoneyKit reported as changed, and the patched ones are among them.
        var onlyChanged = transactionWrites == changed && outcome.Updated >= PatchedTransactions;
        return new IncrementalRun(
            outcome.Created,
            outcome.Updated,
            outcome.Removed + outcome.PendingReplaced,
            bridge.Traffic.Requests,
            transactionWrites,
            bridge.Traffic.TotalWrites - transactionWrites,
            onlyChanged,
            clock.Elapsed);
    }

    /// <summary>The same history from MoneyKit's <c>transactions/sync</c> (same page size), parsed and mapped to rows, stored nowhere.</summary>
    private static async Task<TimeSpan> FetchOnlyAsync(BenchBridge bridge, string linkId, int transactions)
    {
        var partition = LinkRows.Partition(linkId);
        var clock = Stopwatch.StartNew();
        string? cursor = null;
        var rows = 0;
        while (true)
        {
            var page = await bridge.MoneyKit.SyncTransactionsAsync(linkId, cursor, PageSize);
            rows += page.Transactions.Created.Concat(page.Transactions.Updated).Select(t => TransactionRow.From(t, null).ToEntity(partition)).Count();
            cursor = page.Cursor.Next ?? cursor;
            if (!page.HasMore)
            {
                break;
            }
        }

        clock.Stop();
        Expect(rows == transactions, $"MoneyKit listed {rows} transactions");
        return clock.Elapsed;
    }

    /// <summary>Raw batches of <paramref name="entities"/> into a fresh table: batches of 100, the engine's concurrency.</summary>
    private static async Task<(TimeSpan Time, int Batches)> BaselineBatchesAsync(BenchBridge bridge, List<TableEntity> entities, TableTransactionActionType operation)
    {
        var table = bridge.Service.GetTableClient(BenchBridge.UniqueName("base"));
        await table.CreateIfNotExistsAsync();
        try
        {
            var batches = entities.Chunk(100).Select(c => c.Select(e => new TableTransactionAction(operation, e)).ToList()).ToList();
            bridge.Traffic.Reset();
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(
                batches,
                new ParallelOptions { MaxDegreeOfParallelism = Concurrency },
                async (batch, ct) => await table.SubmitTransactionAsync(batch, ct));
            clock.Stop();
            return (clock.Elapsed, bridge.Traffic.Batches);
        }
        finally
        {
            await table.DeleteAsync();
        }
    }

    /// <summary>The row as written: keys and properties (no ETag or Timestamp).</summary>
    private static TableEntity Copy(TableEntity row)
    {
        var copy = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var (name, value) in row)
        {
            if (name is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            {
                copy[name] = value;
            }
        }

        return copy;
    }

    private static void Expect(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark precondition failed: " + failure);
        }
    }

    private sealed record Run(int Applied, int Pages, TimeSpan SyncTime, int SyncRequests, TimeSpan BaselineTime, IncrementalRun Incremental)
    {
        public TimeSpan? FetchTime { get; init; }

        public TimeSpan? UpsertTime { get; init; }

        public double UpsertRate => Applied / UpsertTime!.Value.TotalSeconds;

        public double SyncRate => Applied / SyncTime.TotalSeconds;

        public double BaselineRate => Applied / BaselineTime.TotalSeconds;

        public double Ratio => SyncRate / BaselineRate;
    }

    private sealed record IncrementalRun(int Created, int Updated, int Removed, int Requests, int TransactionWrites, int OtherWrites, bool OnlyChanged, TimeSpan Time);
}

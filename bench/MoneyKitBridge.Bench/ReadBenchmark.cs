using System.Diagnostics;
using System.Globalization;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using Azure.Data.Tables;

namespace MoneyKitBridge.Bench;

/// <summary>
/// Query path of a 10,000-transaction link: <see cref="LinkSnapshotReader.GetAsync"/> (one state-row point read,
/// warm cache) + <see cref="TransactionQuery.Apply"/>, against the baseline of reading the link's whole partition
/// from Azurite on every call. Also the first (cold) read of a fresh reader against the same raw scan.
/// </summary>
public sealed class ReadBenchmark(string connectionString, TextWriter output)
{
    public const int Transactions = 10_000;
    public const int Rounds = 3;

    /// <summary>Each warm round runs this long.</summary>
    private static readonly TimeSpan WarmRound = TimeSpan.FromSeconds(2);

    /// <summary>Partition scans (raw and cold reader) per round.</summary>
    private const int ScansPerRound = 3;

    public async Task<double> RunAsync()
    {
        output.WriteLine($"== read: query path of a {Transactions:N0}-transaction link vs a full partition read from Azurite per call, {Rounds} rounds, one client ==");
        await using var bridge = await BenchBridge.StartAsync(connectionString, pageSize: 500);
        var linkId = await bridge.CreateLinkAsync(Transactions);
        var synced = await bridge.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        if (synced.Status != SyncStatus.Completed)
        {
            throw new InvalidOperationException($"Setup sync ended {synced.Status} {synced.Error}.");
        }

        var snapshot = await bridge.Reader.GetAsync(linkId) ?? throw new InvalidOperationException("The synced link has no snapshot.");
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
        var page1 = new TransactionQuery(null, new DateOnly(1900, 1, 1), today.AddDays(1), Page: 1, Size: 50);
        var account = snapshot.Accounts[0].AccountId;
        var filtered = new TransactionQuery(new HashSet<string>(StringComparer.Ordinal) { account }, today.AddDays(-180), today.AddDays(-30), Page: 2, Size: 50);
        var page1Total = page1.Apply(snapshot.Transactions).Total;
        var filteredTotal = filtered.Apply(snapshot.Transactions).Total;
        output.WriteLine($"page 1 size 50, all dates: total {page1Total:N0}; filtered (account {account}, {filtered.StartDate:yyyy-MM-dd}..{filtered.EndDate:yyyy-MM-dd}, page 2 size 50): total {filteredTotal:N0}");

        var partitionFilter = TableKeys.PartitionFilter(LinkRows.Partition(linkId));
        var partitionRows = 0;
        await foreach (var row in bridge.Tables.Links.QueryAsync<TableEntity>(partitionFilter))
        {
            partitionRows++;
        }

        output.WriteLine($"partition rows (state, accounts, transactions, history): {partitionRows:N0}; warm-up done");
        bridge.Traffic.Reset();
        await WarmReadAsync(bridge.Reader, linkId, page1, 1);
        var requestsPerWarmRead = bridge.Traffic.Requests;

        var warmPage1 = new List<double>();
        var warmFiltered = new List<double>();
        var raw = new List<double>();
        var cold = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            warmPage1.Add(await RateForAsync(WarmRound, n => WarmReadAsync(bridge.Reader, linkId, page1, n)));
            warmFiltered.Add(await RateForAsync(WarmRound, n => WarmReadAsync(bridge.Reader, linkId, filtered, n)));
            raw.Add(await RateAsync(ScansPerRound, async () =>
            {
                var rows = 0;
                await foreach (var row in bridge.Tables.Links.QueryAsync<TableEntity>(partitionFilter))
                {
                    rows++;
                }

                return rows == partitionRows;
            }));
            cold.Add(await RateAsync(ScansPerRound, async () =>
            {
                // A new reader has an empty cache: the first query after a restart.
                var snap = await new LinkSnapshotReader(bridge.Tables, bridge.NewStateStore()).GetAsync(linkId);
                return snap is not null && page1.Apply(snap.Transactions).Total == page1Total;
            }));
        }

        var rawRate = ResultTable.Median(raw);
        var table = new ResultTable("read path", "reads/s round 1", "round 2", "round 3", "median reads/s", "vs raw partition read");
        Row("warm: GetAsync + Apply, page 1 size 50", warmPage1);
        Row("warm: GetAsync + Apply, filtered", warmFiltered);
        Row("baseline: raw full partition query", raw);
        Row("cold: new reader GetAsync + Apply", cold);
        table.Print(output);
        output.WriteLine($"  warm reads send {requestsPerWarmRead} Table request(s) each (the state-row point read).");

        var ratio = ResultTable.Median(warmPage1) / rawRate;
        var filteredRatio = ResultTable.Median(warmFiltered) / rawRate;
        var coldLatencyRatio = rawRate / ResultTable.Median(cold);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"INFO cold first query latency / raw partition scan latency: {coldLatencyRatio:0.00}x (issue 7 asks <= 1.5x)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RATIO read: warm page-1 reads/s / raw partition reads/s = {ratio:0.0}x (filtered query: {filteredRatio:0.0}x)"));
        output.WriteLine();
        return ratio;

        void Row(string name, List<double> rates) =>
            table.Add(name, rates[0], rates[1], rates[2], ResultTable.Median(rates), string.Create(CultureInfo.InvariantCulture, $"{ResultTable.Median(rates) / rawRate:0.00}x"));
    }

    private static async Task<int> WarmReadAsync(LinkSnapshotReader reader, string linkId, TransactionQuery query, int count)
    {
        var served = 0;
        for (var i = 0; i < count; i++)
        {
            var snapshot = await reader.GetAsync(linkId) ?? throw new InvalidOperationException("The link vanished.");
            served += query.Apply(snapshot.Transactions).Transactions.Count;
        }

        return served;
    }

    /// <summary>Reads per second over about <paramref name="duration"/>, in chunks of 50 reads.</summary>
    private static async Task<double> RateForAsync(TimeSpan duration, Func<int, Task<int>> reads)
    {
        var done = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            if (await reads(50) == 0)
            {
                throw new InvalidOperationException("A query served no transactions.");
            }

            done += 50;
        }

        return done / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> RateAsync(int count, Func<Task<bool>> read)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            if (!await read())
            {
                throw new InvalidOperationException("A partition read returned the wrong rows.");
            }
        }

        return count / clock.Elapsed.TotalSeconds;
    }
}

using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using Azure.Data.Tables;

namespace MoneyKitBridge.Bench;

/// <summary>
/// The bridge's change feed (issue 14): a new consumer of a 10,000-transaction link reads <c>transactions/sync</c> from
/// an empty cursor to the end at the largest page size, through a feed with an empty cache (the first reader after a
/// restart): per page a state-row point read, the page, its cursor encoded and decoded, the page's body written as
/// the endpoint writes it. Baseline: a raw scan of the link's whole partition with Azure.Data.Tables, in the same run.
/// </summary>
public sealed class FeedBenchmark(string connectionString, TextWriter output)
{
    public const int Transactions = 10_000;
    public const int Rounds = 5;

    public async Task<double> RunAsync()
    {
        output.WriteLine($"== feed: a consumer reading a {Transactions:N0}-transaction link's change feed from an empty cursor to the end (size {LinkChangeFeed.MaxPageSize}) vs a raw partition scan, {Rounds} rounds ==");
        await using var bridge = await BenchBridge.StartAsync(connectionString, pageSize: 500);
        var linkId = await bridge.CreateLinkAsync(Transactions);
        var synced = await bridge.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        if (synced.Status != SyncStatus.Completed)
        {
            throw new InvalidOperationException($"Setup sync ended {synced.Status} {synced.Error}.");
        }

        var partitionFilter = TableKeys.PartitionFilter(LinkRows.Partition(linkId));
        var partitionRows = await RawScanAsync(bridge, partitionFilter);
        var (served, pages, _) = await ConsumeAsync(bridge, linkId);
        if (served != Transactions)
        {
            throw new InvalidOperationException($"The feed served {served} transactions, not {Transactions}.");
        }

        output.WriteLine($"partition rows: {partitionRows:N0}; feed pages per consumer: {pages}; warm-up done");
        var raw = new List<double>();
        var feed = new List<double>();
        var ratios = new List<double>();
        long bodyBytes = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            if (await RawScanAsync(bridge, partitionFilter) != partitionRows)
            {
                throw new InvalidOperationException("The raw scan returned the wrong rows.");
            }

            var rawMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            (served, _, bodyBytes) = await ConsumeAsync(bridge, linkId);
            var feedMs = clock.Elapsed.TotalMilliseconds;
            if (served != Transactions)
            {
                throw new InvalidOperationException($"The feed served {served} transactions.");
            }

            raw.Add(rawMs);
            feed.Add(feedMs);
            ratios.Add(feedMs / rawMs);
        }

        var table = new ResultTable("path", "ms round 1", "round 2", "round 3", "round 4", "round 5", "median ms");
        table.Add("baseline: raw partition scan (Azure.Data.Tables)", raw[0], raw[1], raw[2], raw[3], raw[4], ResultTable.Median(raw));
        table.Add($"feed: empty cursor to end, size {LinkChangeFeed.MaxPageSize}, cold feed", feed[0], feed[1], feed[2], feed[3], feed[4], ResultTable.Median(feed));
        table.Print(output);
        output.WriteLine($"  the consumer received {bodyBytes / 1024.0 / 1024.0:0.0} MiB of page bodies in {pages} pages.");
        var ratio = ResultTable.Median(ratios);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RATIO feed: consumer from empty cursor to end / raw partition scan = {ratio:0.00}x (median of per-round ratios; issue 14 asks <= 1.5x)"));
        output.WriteLine();
        return ratio;
    }

    private static async Task<int> RawScanAsync(BenchBridge bridge, string partitionFilter)
    {
        var rows = 0;
        await foreach (var row in bridge.Tables.Links.QueryAsync<TableEntity>(partitionFilter))
        {
            rows++;
        }

        return rows;
    }

    /// <summary>One consumer from an empty cursor to <c>has_more: false</c>, through a new feed and state store (no cache).</summary>
    private static async Task<(int Served, int Pages, long BodyBytes)> ConsumeAsync(BenchBridge bridge, string linkId)
    {
        var states = bridge.NewStateStore();
        var feed = new LinkChangeFeed(bridge.Tables, states);
        var buffer = new ArrayBufferWriter<byte>(1024 * 1024);
        string? cursor = null;
        int served = 0, pages = 0;
        long bytes = 0;
        while (true)
        {
            var from = FeedPosition.Start;
            if (cursor is not null)
            {
                from = FeedCursor.TryDecode(cursor, linkId, out var decoded) ? decoded.Value : throw new InvalidOperationException("The feed's cursor did not decode.");
            }

            var state = await states.GetAsync(linkId) ?? throw new InvalidOperationException("The link vanished.");
            var page = await feed.ReadAsync(state, from, LinkChangeFeed.MaxPageSize);
            cursor = FeedCursor.Encode(linkId, page.Next);
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteStartObject("transactions");
                writer.WriteStartArray("created");
                foreach (var change in page.Created)
                {
                    writer.WriteRawValue(change.Json, skipInputValidation: true);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("updated");
                writer.WriteEndArray();
                writer.WriteStartArray("removed");
                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteStartArray("accounts");
                foreach (var account in page.Accounts)
                {
                    writer.WriteRawValue(account.Json, skipInputValidation: true);
                }

                writer.WriteEndArray();
                writer.WriteStartObject("cursor");
                writer.WriteString("next", cursor);
                writer.WriteEndObject();
                writer.WriteBoolean("has_more", page.HasMore);
                writer.WritePropertyName("link");
                writer.WriteRawValue(state.LinkJson ?? "null", skipInputValidation: true);
                writer.WriteEndObject();
            }

            bytes += buffer.WrittenCount;
            served += page.Created.Count + page.Updated.Count;
            pages++;
            if (!page.HasMore)
            {
                return (served, pages, bytes);
            }
        }
    }
}

using System.Diagnostics;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Bench.Http;

/// <summary>
/// Issue 7: warm <c>GET /api/links/{id}/transactions?size=50</c> at 64 concurrent clients against the same bytes
/// served pre-serialized by a minimal Kestrel process (alternating rounds, pooled); then the first query after a
/// restart of the bridge against a raw scan of the link's partition with Azure.Data.Tables.
/// </summary>
internal static class TransactionsBenchmark
{
    public static async Task<IReadOnlyList<RatioCheck>> RunAsync(BenchWorld world, BenchSettings settings)
    {
        var path = new Uri($"api/links/{Uri.EscapeDataString(world.LinkId)}/transactions?size=50", UriKind.Relative);
        if (settings.ColdOnly)
        {
            return [await ColdAsync(world, settings, path, expectedLength: null)];
        }

        var checks = new List<RatioCheck>();
        var bodyFile = Path.GetTempFileName();
        try
        {
            byte[] expected;
            var bridgeRounds = new List<LoadResult>();
            var baselineRounds = new List<LoadResult>();
            await using (var bridge = await world.StartBridgeAsync())
            {
                using var setup = BenchWorld.LoadClient(bridge.BaseAddress, 1, null);
                var token = await BenchWorld.GetTokenAsync(setup);
                using var bridgeClient = BenchWorld.LoadClient(bridge.BaseAddress, settings.Concurrency, token);
                using (var first = await bridgeClient.GetAsync(path))
                {
                    expected = await first.Content.ReadAsByteArrayAsync();
                    if (!first.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"The bridge answered {(int)first.StatusCode}: {System.Text.Encoding.UTF8.GetString(expected)}");
                    }
                }

                await File.WriteAllBytesAsync(bodyFile, expected);
                Report.Line($"issue 7: captured the bridge's size=50 response: {expected.Length} bytes");
                await using var baseline = await world.StartBaselineAsync(bodyFile);
                using var baselineClient = BenchWorld.LoadClient(baseline.BaseAddress, settings.Concurrency, token);

                for (var round = 1; round <= settings.Rounds; round++)
                {
                    baselineRounds.Add(await MeasureAsync($"baseline round {round}", baselineClient, path, expected.Length, settings));
                    bridgeRounds.Add(await MeasureAsync($"bridge round {round}", bridgeClient, path, expected.Length, settings));
                }
            }

            var baselineAll = LoadResult.Pool("baseline: pre-serialized bytes, minimal Kestrel", baselineRounds);
            var bridgeAll = LoadResult.Pool("bridge: GET /api/links/{id}/transactions?size=50", bridgeRounds);
            var storageFloor = await StorageFloorAsync(world, settings);
            Report.Table(
                $"issue 7 warm query: {settings.Concurrency} concurrent clients, loopback, {settings.Rounds} alternating rounds of {settings.Measure.TotalSeconds:F0} s each (after {settings.Warmup.TotalSeconds:F0} s warm-up)",
                [.. baselineRounds, .. bridgeRounds, baselineAll, bridgeAll, .. storageFloor]);
            checks.Add(new RatioCheck("warm.throughput", "bridge req/s / baseline req/s", bridgeAll.PerSecond / baselineAll.PerSecond, AtMost: false, 0.7));
            checks.Add(new RatioCheck("warm.p99", "bridge p99 / baseline p99", bridgeAll.P99Ms / baselineAll.P99Ms, AtMost: true, 1.6));
            if (bridgeAll.Errors > 0 || baselineAll.Errors > 0)
            {
                Report.Line($"WARNING: errors during the warm query runs (bridge {bridgeAll.Errors}, baseline {baselineAll.Errors}).");
            }

            checks.Add(await ColdAsync(world, settings, path, expected.Length));
        }
        finally
        {
            File.Delete(bodyFile);
        }

        return checks;
    }

    /// <summary>
    /// Informational, not a target: what the storage under the bridge allows. The warm query reads the link's state
    /// row (a point read in the <c>linkstates</c> table, at most once a second); the same point read in a one-row
    /// table shows whether the storage's point-read cost depends on the table's size.
    /// </summary>
    private static async Task<LoadResult[]> StorageFloorAsync(BenchWorld world, BenchSettings settings)
    {
        var partition = LinkRows.Partition(world.LinkId);
        var probe = world.Service.GetTableClient(world.Prefix + "probe");
        await probe.CreateIfNotExistsAsync();
        await probe.UpsertEntityAsync(new Azure.Data.Tables.TableEntity("p", LinkRows.StateRow) { ["Version"] = 1 }, Azure.Data.Tables.TableUpdateMode.Replace);
        var duration = TimeSpan.FromSeconds(3);
        var links = await LoadRunner.RunAsync(
            "storage only: point read of the state row (linkstates)",
            settings.Concurrency,
            duration,
            long.MaxValue,
            async _ => (await world.Tables.States.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(partition, LinkRows.StateRow)).HasValue);
        var twice = await LoadRunner.RunAsync(
            "storage only: 2 point reads of the state row (as a query)",
            settings.Concurrency,
            duration,
            long.MaxValue,
            async _ => (await world.Tables.States.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(partition, LinkRows.StateRow)).HasValue
                && (await world.Tables.States.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(partition, LinkRows.StateRow)).HasValue);
        var smallPartition = LinkRows.Partition(world.WebhookLinkIds[0]);
        var otherLink = await LoadRunner.RunAsync(
            "storage only: state row of a link without data",
            settings.Concurrency,
            duration,
            long.MaxValue,
            async _ => (await world.Tables.States.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(smallPartition, LinkRows.StateRow)).HasValue);
        var small = await LoadRunner.RunAsync(
            "storage only: point read in a one-row table",
            settings.Concurrency,
            duration,
            long.MaxValue,
            async _ => (await probe.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("p", LinkRows.StateRow)).HasValue);
        await probe.DeleteAsync();
        return [links, twice, otherLink, small];
    }

    private static async Task<LoadResult> MeasureAsync(string name, HttpClient client, Uri path, int expectedLength, BenchSettings settings)
    {
        Func<long, Task<bool>> get = async _ =>
        {
            using var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsByteArrayAsync();
            return response.IsSuccessStatusCode && body.Length == expectedLength;
        };
        await LoadRunner.RunAsync(name + " warm-up", settings.Concurrency, settings.Warmup, long.MaxValue, get);
        return await LoadRunner.RunAsync(name, settings.Concurrency, settings.Measure, long.MaxValue, get);
    }

    /// <summary>
    /// Restarts the bridge, takes a token (the process is ready and has answered one request), then times the first
    /// transactions query (snapshot cache empty: the partition is loaded). Compared with a raw scan of the whole
    /// partition (every row, every column) with Azure.Data.Tables; medians of the repeats, interleaved.
    /// </summary>
    private static async Task<RatioCheck> ColdAsync(BenchWorld world, BenchSettings settings, Uri path, int? expectedLength)
    {
        var cold = new List<double>();
        var scans = new List<double>();
        var partitionFilter = TableKeys.PartitionFilter(LinkRows.Partition(world.LinkId));
        for (var i = 0; i < settings.ColdRepeats; i++)
        {
            await using (var bridge = await world.StartBridgeAsync())
            {
                using var client = BenchWorld.LoadClient(bridge.BaseAddress, 1, null);
                var token = await BenchWorld.GetTokenAsync(client);
                client.DefaultRequestHeaders.Authorization = new("Bearer", token);
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(path);
                var body = await response.Content.ReadAsByteArrayAsync();
                cold.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode || (expectedLength is { } length && body.Length != length))
                {
                    throw new InvalidOperationException($"The cold query answered {(int)response.StatusCode} with {body.Length} bytes.");
                }
            }

            var scanStarted = Stopwatch.GetTimestamp();
            var rows = 0;
            await foreach (var _ in world.Tables.Links.QueryAsync<Azure.Data.Tables.TableEntity>(partitionFilter))
            {
                rows++;
            }

            scans.Add(Stopwatch.GetElapsedTime(scanStarted).TotalMilliseconds);
            Report.Line($"issue 7 cold #{i + 1}: first query after restart {cold[^1]:F0} ms; raw partition scan ({rows} rows, Azure.Data.Tables) {scans[^1]:F0} ms");
        }

        var coldMedian = Median(cold);
        var scanMedian = Median(scans);
        Report.Line($"issue 7 cold: median first query {coldMedian:F0} ms, median raw partition scan {scanMedian:F0} ms");
        return new RatioCheck("cold", "first query after restart / raw partition scan (medians)", coldMedian / scanMedian, AtMost: true, 1.25);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}

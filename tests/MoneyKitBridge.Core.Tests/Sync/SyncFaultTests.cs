using System.Globalization;
using System.Text.Json.Nodes;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Tests.Harness;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Tests.Sync;

public sealed class SyncFaultTests
{
    private sealed class Crash : Exception
    {
    }

    [Fact]
    public async Task A_crash_after_any_durable_step_of_a_5000_transaction_history_converges_on_the_next_run()
    {
        await using var harness = await BridgeHarness.StartAsync(sync: o =>
        {
            o.PageSize = 500;
            o.MaxParallelBatches = 1;
            o.LeaseDuration = TimeSpan.FromSeconds(30);
        });
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 5_000);

        var crashes = new List<SyncCheckpoint>();
        var crashAt = 1;
        while (true)
        {
            var cursorBefore = (await harness.Reader.GetStateAsync(linkId))!.Cursor;
            var reached = 0;
            SyncCheckpoint? last = null;
            harness.Engine.Checkpoint = point =>
            {
                last = point;
                return ++reached == crashAt ? throw new Crash() : ValueTask.CompletedTask;
            };

            try
            {
                var outcome = await harness.Engine.SyncAsync(linkId, SyncTrigger.Timer);
                Assert.Equal(SyncStatus.Completed, outcome.Status);
                break;
            }
            catch (Crash)
            {
                crashes.Add(last!.Value);
                // When a page's cursor was committed the next run starts from the next page: crash early in it again.
                var moved = (await harness.Reader.GetStateAsync(linkId))!.Cursor != cursorBefore;
                crashAt = moved ? 1 : crashAt + 1;
                harness.Clock.Advance(TimeSpan.FromSeconds(31)); // a crashed process never releases its lease
            }
        }

        Assert.Contains(SyncCheckpoint.BatchWritten, crashes);
        Assert.Contains(SyncCheckpoint.PageCommitted, crashes);
        Assert.True(crashes.Count(c => c == SyncCheckpoint.PageCommitted) >= 10, "crashed after every page commit");
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
    }

    [Fact]
    public async Task Rate_limits_server_errors_and_an_expired_token_mid_run_are_ridden_out()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 400);
        var retryDate = harness.Clock.GetUtcNow().AddSeconds(3).ToString("R", CultureInfo.InvariantCulture);
        var syncPath = $"/links/{linkId}/transactions/sync";
        var expired = false;
        harness.Engine.Checkpoint = async point =>
        {
            if (point == SyncCheckpoint.PageCommitted && !expired)
            {
                expired = true;
                await harness.SandboxAsync(HttpMethod.Post, "sandbox/tokens/expire");
                await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["path_prefix"] = syncPath, ["status"] = 429, ["retry_after_seconds"] = 2, ["count"] = 1 });
                await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["path_prefix"] = syncPath, ["status"] = 503, ["count"] = 1 });
                await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["path_prefix"] = syncPath, ["status"] = 429, ["retry_after_http_date"] = retryDate, ["count"] = 1 });
            }
        };

        var outcome = await harness.WithClockRunningAsync(() => harness.Engine.SyncAsync(linkId, SyncTrigger.Timer));

        Assert.Equal(SyncStatus.Completed, outcome.Status);
        Assert.True(expired);
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
    }

    [Fact]
    public async Task When_MoneyKit_stays_down_the_run_fails_and_the_next_resumes_from_the_stored_cursor()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 300);
        var syncPath = $"/links/{linkId}/transactions/sync";

        // The first page is served; every later request fails (the engine asks for page 2 while it writes page 1).
        await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["path_prefix"] = syncPath, ["status"] = 503, ["count"] = 20, ["skip"] = 1 });

        var failed = await harness.WithClockRunningAsync(() => harness.Engine.SyncAsync(linkId, SyncTrigger.Timer));
        var cursorAfterFailure = (await harness.Reader.GetStateAsync(linkId))!.Cursor;
        await harness.SandboxAsync(HttpMethod.Delete, "sandbox/faults");
        var resumed = await harness.Engine.SyncAsync(linkId, SyncTrigger.Timer);

        Assert.Equal(SyncStatus.Failed, failed.Status);
        Assert.Equal(1, failed.Pages);
        Assert.NotNull(cursorAfterFailure);
        Assert.Equal(SyncStatus.Completed, resumed.Status);
        Assert.Null((await harness.Reader.GetStateAsync(linkId))!.LeaseOwner);
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
    }

    [Fact]
    public async Task A_run_that_lost_its_lease_to_another_instance_writes_no_more_rows()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 300);
        var takenOver = false;
        harness.Engine.Checkpoint = async point =>
        {
            if (point == SyncCheckpoint.PageCommitted && !takenOver)
            {
                // The run stalls past its lease and another instance claims the link.
                takenOver = true;
                harness.Clock.Advance(TimeSpan.FromMinutes(3));
                await harness.States.UpdateAsync(linkId, s => s with { LeaseOwner = "other-instance", LeaseUntil = harness.Clock.GetUtcNow().AddMinutes(2) });
            }
        };

        await Assert.ThrowsAsync<SyncLeaseLostException>(() => harness.Engine.SyncAsync(linkId, SyncTrigger.Webhook));

        var state = (await harness.States.GetAsync(linkId))!;
        Assert.Equal(1, state.FeedSequence);
        var sequences = new List<long>();
        await foreach (var row in harness.Tables.Links.QueryAsync<TableEntity>(LinkRows.KindFilter(LinkRows.Partition(linkId), LinkRows.TransactionPrefix)))
        {
            sequences.Add(TransactionRow.FromEntity(row).ChangeSeq);
        }

        Assert.Equal(100, sequences.Count); // the first page only
        Assert.All(sequences, s => Assert.Equal(1, s));
    }
}

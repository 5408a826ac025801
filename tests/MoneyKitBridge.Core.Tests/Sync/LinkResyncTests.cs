using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Tests.Harness;

namespace MoneyKitBridge.Core.Tests.Sync;

/// <summary>
/// Issue 16, full resync: a link whose snapshot diverged from MoneyKit is rebuilt from an empty cursor into a new
/// generation while the old one keeps serving, then switched in one write; a crash at any step leaves the old or the
/// new generation serving, never a mix; a cursor MoneyKit rejects resyncs by itself; retired rows are purged.
/// </summary>
public sealed class LinkResyncTests
{
    private sealed class Crash : Exception
    {
    }

    private static Task<BridgeHarness> StartAsync() => BridgeHarness.StartAsync(sync: o =>
    {
        o.PageSize = 100;
        o.MaxParallelBatches = 1;
        o.LeaseDuration = TimeSpan.FromSeconds(30);
    });

    /// <summary>A synced link of 350 transactions whose stored snapshot then diverged: one amount changed, one row lost, one row MoneyKit never had.</summary>
    private static async Task<(string LinkId, Dictionary<string, string> Diverged)> DivergedLinkAsync(BridgeHarness harness)
    {
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 350);
        Assert.Equal(SyncStatus.Completed, (await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated)).Status);

        var partition = LinkRows.Partition(linkId);
        var rows = new List<TableEntity>();
        await foreach (var row in harness.Tables.Links.QueryAsync<TableEntity>(LinkRows.KindFilter(partition, LinkRows.TransactionPrefix)))
        {
            rows.Add(row);
        }

        var changed = rows[10];
        changed["Json"] = ((string)changed["Json"]).Replace("\"amount\":", "\"amount\":\"999.99\",\"was\":", StringComparison.Ordinal);
        await harness.Tables.Links.UpdateEntityAsync(changed, ETag.All, TableUpdateMode.Replace);
        await harness.Tables.Links.DeleteEntityAsync(partition, rows[20].RowKey, ETag.All);
        var bogus = new TableEntity(rows[30]) { RowKey = LinkRows.Transaction("txn_never_at_moneykit") };
        bogus["TransactionId"] = "txn_never_at_moneykit";
        await harness.Tables.Links.AddEntityAsync(bogus);

        // A version bump, as any write of the stored data does, so that readers load the diverged rows.
        await harness.States.UpdateAsync(linkId, s => s with { Version = s.Version + 1 });
        return (linkId, await ServedAsync(harness, linkId));
    }

    /// <summary>The transactions a reader serves, read from storage (a new reader: no cached snapshot).</summary>
    private static async Task<Dictionary<string, string>> ServedAsync(BridgeHarness harness, string linkId)
    {
        var snapshot = await new LinkSnapshotReader(harness.Tables, harness.States).GetAsync(linkId);
        return snapshot!.Transactions.ToDictionary(t => t.TransactionId, t => t.Json, StringComparer.Ordinal);
    }

    private static async Task<int> RowsWithPrefixAsync(BridgeHarness harness, string linkId, string prefix)
    {
        var count = 0;
        await foreach (var _ in harness.Tables.Links.QueryAsync<TableEntity>(LinkRows.KindFilter(LinkRows.Partition(linkId), prefix), select: ["RowKey"]))
        {
            count++;
        }

        return count;
    }

    private static void AssertSame(Dictionary<string, string> expected, Dictionary<string, string> actual) =>
        Assert.True(expected.Count == actual.Count && expected.All(e => actual.TryGetValue(e.Key, out var json) && json == e.Value), "the snapshot is not the one expected");

    [Fact]
    public async Task An_operator_resync_rebuilds_a_diverged_snapshot_and_purges_the_old_generation_after_the_grace()
    {
        await using var harness = await StartAsync();
        var (linkId, diverged) = await DivergedLinkAsync(harness);
        Assert.Contains("txn_never_at_moneykit", diverged.Keys);
        await using var scheduler = new BackgroundSyncScheduler(harness.Engine, NullLogger<BackgroundSyncScheduler>.Instance);
        var resync = new LinkResync(harness.States, scheduler);

        var request = await resync.RequestAsync(linkId);
        var again = await resync.RequestAsync(linkId);
        await scheduler.WhenIdleAsync();

        Assert.Equal(ResyncRequestStatus.Accepted, request.Status);
        Assert.Equal((1L, 0L, ResyncReasons.Operator), (request.State!.ResyncGeneration!.Value, request.State.Generation, request.State.ResyncReason!));
        Assert.Equal(ResyncRequestStatus.Accepted, again.Status);
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
        var state = (await harness.States.GetAsync(linkId))!;
        Assert.Equal(1, state.Generation);
        Assert.Null(state.ResyncGeneration);
        Assert.Null(state.LeaseOwner);
        Assert.Equal(0, state.RetiredFrom);
        Assert.NotEmpty((await harness.Reader.GetAsync(linkId))!.Accounts);
        Assert.True(await RowsWithPrefixAsync(harness, linkId, LinkRows.TransactionPrefix) > 0, "the retired generation is kept through the grace");

        // Within the grace a sync keeps the retired rows; after it, the next sync purges them.
        Assert.Equal(SyncStatus.Completed, (await harness.Engine.SyncAsync(linkId, SyncTrigger.Timer)).Status);
        Assert.True(await RowsWithPrefixAsync(harness, linkId, LinkRows.TransactionPrefix) > 0);
        harness.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(SyncStatus.Completed, (await harness.Engine.SyncAsync(linkId, SyncTrigger.Timer)).Status);
        Assert.Equal(0, await RowsWithPrefixAsync(harness, linkId, LinkRows.TransactionPrefix));
        Assert.Equal(0, await RowsWithPrefixAsync(harness, linkId, LinkRows.AccountPrefix));
        Assert.Null((await harness.States.GetAsync(linkId))!.RetiredFrom);
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
    }

    [Fact]
    public async Task Reads_during_the_resync_serve_the_old_generation_and_the_new_one_from_the_switch()
    {
        await using var harness = await StartAsync();
        var (linkId, diverged) = await DivergedLinkAsync(harness);
        var versionBefore = (await harness.States.GetAsync(linkId))!.Version;
        await harness.States.UpdateAsync(linkId, s => s with { ResyncGeneration = 1, ResyncReason = ResyncReasons.Operator });
        var readsDuring = 0;
        harness.Engine.Checkpoint = async point =>
        {
            if (point is SyncCheckpoint.ResyncPageCommitted or SyncCheckpoint.GenerationBuilt)
            {
                AssertSame(diverged, await ServedAsync(harness, linkId));
                Assert.Equal(versionBefore, (await harness.States.GetAsync(linkId))!.Version);
                readsDuring++;
            }
        };

        Assert.Equal(SyncStatus.Completed, (await harness.Engine.SyncAsync(linkId, SyncTrigger.Manual)).Status);

        Assert.True(readsDuring >= 5, $"read the old generation during {readsDuring} steps of the walk");
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
        Assert.DoesNotContain("txn_never_at_moneykit", (await ServedAsync(harness, linkId)).Keys);
    }

    [Fact]
    public async Task A_crash_at_any_step_of_a_resync_leaves_the_old_or_the_new_generation_serving_and_the_next_run_converges()
    {
        await using var harness = await StartAsync();
        var (linkId, diverged) = await DivergedLinkAsync(harness);
        var upstream = (await harness.UpstreamTransactionsAsync(linkId)).ToDictionary(t => t.GetProperty("transaction_id").GetString()!, StringComparer.Ordinal);
        await harness.States.UpdateAsync(linkId, s => s with { ResyncGeneration = 1, ResyncReason = ResyncReasons.Operator });

        var crashes = new List<SyncCheckpoint>();
        var crashAt = 1;
        var switched = false;
        for (var run = 0; ; run++)
        {
            Assert.True(run < 200, "the resync did not converge");
            var before = (await harness.States.GetAsync(linkId))!;
            var reached = 0;
            SyncCheckpoint? last = null;
            harness.Engine.Checkpoint = point =>
            {
                last = point;
                return ++reached == crashAt ? throw new Crash() : ValueTask.CompletedTask;
            };

            try
            {
                Assert.Equal(SyncStatus.Completed, (await harness.Engine.SyncAsync(linkId, SyncTrigger.Timer)).Status);
                break;
            }
            catch (Crash)
            {
                crashes.Add(last!.Value);
                var after = (await harness.States.GetAsync(linkId))!;
                var served = await ServedAsync(harness, linkId);
                if (after.Generation == 0)
                {
                    Assert.False(switched, "the old generation came back after the switch");
                    AssertSame(diverged, served);
                }
                else
                {
                    switched = true;
                    Assert.Equal(upstream.Count, served.Count);
                    Assert.All(upstream.Keys, id => Assert.Contains(id, served.Keys));
                }

                var moved = after.ResyncCursor != before.ResyncCursor || after.Generation != before.Generation;
                crashAt = moved ? 1 : crashAt + 1;
                harness.Clock.Advance(TimeSpan.FromSeconds(31)); // a crashed process never releases its lease
            }
        }

        Assert.Contains(SyncCheckpoint.BatchWritten, crashes);
        Assert.Contains(SyncCheckpoint.ResyncPageCommitted, crashes);
        Assert.Contains(SyncCheckpoint.GenerationBuilt, crashes);
        Assert.Contains(SyncCheckpoint.GenerationSwitched, crashes);
        Assert.True(crashes.Count(c => c == SyncCheckpoint.ResyncPageCommitted) >= 3, "crashed after several pages of the walk");
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
        Assert.Equal(1, (await harness.States.GetAsync(linkId))!.Generation);

        // After the switch, before the purge completes: a crash between the deletes and the commit purges again.
        harness.Clock.Advance(TimeSpan.FromMinutes(11));
        harness.Engine.Checkpoint = point => point == SyncCheckpoint.GenerationPurged ? throw new Crash() : ValueTask.CompletedTask;
        await Assert.ThrowsAsync<Crash>(() => harness.Engine.SyncAsync(linkId, SyncTrigger.Timer));
        Assert.Equal(0, (await harness.States.GetAsync(linkId))!.RetiredFrom);
        harness.Clock.Advance(TimeSpan.FromSeconds(31));
        harness.Engine.Checkpoint = null;
        Assert.Equal(SyncStatus.Completed, (await harness.Engine.SyncAsync(linkId, SyncTrigger.Timer)).Status);
        Assert.Null((await harness.States.GetAsync(linkId))!.RetiredFrom);
        Assert.Equal(0, await RowsWithPrefixAsync(harness, linkId, LinkRows.TransactionPrefix));
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
    }

    [Fact]
    public async Task A_cursor_MoneyKit_rejects_resyncs_the_link_by_itself()
    {
        await using var harness = await StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 250);
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        var posted = (await harness.UpstreamTransactionsAsync(linkId)).Where(t => !t.GetProperty("pending").GetBoolean()).ToList();
        await harness.SandboxAsync(HttpMethod.Delete, $"sandbox/links/{linkId}/transactions/{posted[3].GetProperty("transaction_id").GetString()}");
        await harness.SandboxAsync(HttpMethod.Patch, $"sandbox/links/{linkId}/transactions/{posted[5].GetProperty("transaction_id").GetString()}", new JsonObject { ["amount"] = 42.5 });

        await harness.SandboxAsync(HttpMethod.Post, $"sandbox/links/{linkId}/cursors/expire");
        var outcome = await harness.Engine.SyncAsync(linkId, SyncTrigger.Webhook);

        Assert.Equal(SyncStatus.Completed, outcome.Status);
        var state = (await harness.States.GetAsync(linkId))!;
        Assert.Equal((1L, "connected", (string?)null, (string?)null), (state.Generation, state.State!, state.SyncBlockedBy, state.ErrorCode));
        Assert.Null(state.ResyncGeneration);
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);

        // The new generation's cursor is MoneyKit's current one: the next sync is incremental again.
        Assert.Equal(SyncStatus.Completed, (await harness.Engine.SyncAsync(linkId, SyncTrigger.Timer)).Status);
        Assert.Equal(1, (await harness.States.GetAsync(linkId))!.Generation);
    }

    [Fact]
    public async Task A_walk_whose_own_cursor_is_rejected_starts_over_and_still_converges()
    {
        await using var harness = await StartAsync();
        var (linkId, _) = await DivergedLinkAsync(harness);
        await harness.States.UpdateAsync(linkId, s => s with { ResyncGeneration = 1, ResyncReason = ResyncReasons.Operator });
        var expired = false;
        harness.Engine.Checkpoint = async point =>
        {
            if (point == SyncCheckpoint.ResyncPageCommitted && !expired)
            {
                expired = true;
                await harness.SandboxAsync(HttpMethod.Post, $"sandbox/links/{linkId}/cursors/expire");
            }
        };

        Assert.Equal(SyncStatus.Completed, (await harness.Engine.SyncAsync(linkId, SyncTrigger.Manual)).Status);

        Assert.True(expired);
        Assert.Equal(1, (await harness.States.GetAsync(linkId))!.Generation);
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
        Assert.Equal((await harness.UpstreamTransactionsAsync(linkId)).Count, await RowsWithPrefixAsync(harness, linkId, LinkRows.TransactionPrefixOf(1)));
    }

    [Fact]
    public async Task A_deleted_or_unknown_link_is_not_resynced()
    {
        await using var harness = await StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        await harness.Lifecycle.DeleteAsync(linkId);
        await using var scheduler = new BackgroundSyncScheduler(harness.Engine, NullLogger<BackgroundSyncScheduler>.Instance);
        var resync = new LinkResync(harness.States, scheduler);

        Assert.Equal(ResyncRequestStatus.Deleted, (await resync.RequestAsync(linkId)).Status);
        Assert.Equal(ResyncRequestStatus.NotFound, (await resync.RequestAsync("mk_no_such_link")).Status);
        Assert.Null((await harness.States.GetAsync(linkId))!.ResyncGeneration);
    }
}

using System.Text.Json.Nodes;
using MoneyKit.Sandbox;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Tests.Harness;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Tests.Sync;

public sealed class SyncConvergenceTests
{
    [Fact]
    public async Task The_first_sync_stores_exactly_what_MoneyKit_lists()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 450);

        var outcome = await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);

        Assert.Equal(SyncStatus.Completed, outcome.Status);
        Assert.True(outcome.Pages >= 5, $"450+ transactions in pages of 100 need at least 5 pages, got {outcome.Pages}");
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
        var snapshot = await harness.Reader.GetAsync(linkId);
        Assert.NotEmpty(snapshot!.Accounts);
        Assert.True(snapshot.State.HasData);
        Assert.NotNull(snapshot.State.Cursor);
        Assert.Null(snapshot.State.LeaseOwner);
    }

    [Fact]
    public async Task A_state_change_applied_while_a_sync_writes_a_page_is_not_undone_by_that_page()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 30);
        var changedAt = harness.Clock.GetUtcNow().AddSeconds(1);
        var applied = false;
        harness.Engine.Checkpoint = async point =>
        {
            if (point == SyncCheckpoint.DeletesApplied && !applied)
            {
                // The page (its link object says connected) is in hand; MoneyKit's link.state_changed arrives now.
                applied = true;
                Assert.True(await harness.Lifecycle.ApplyStateChangeAsync(linkId, "error", "auth_expired", changedAt));
            }
        };

        var outcome = await harness.Engine.SyncAsync(linkId, SyncTrigger.Webhook);

        Assert.Equal(SyncStatus.Completed, outcome.Status);
        var state = (await harness.States.GetAsync(linkId))!;
        Assert.Equal(("error", "auth_expired", changedAt), (state.State, state.ErrorCode, state.StateChangedAt));
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
    }

    [Theory]
    [InlineData(SandboxPendingMode.ResolveAsUpdate)]
    [InlineData(SandboxPendingMode.ReplaceDropped)]
    public async Task Ten_refresh_and_sync_cycles_keep_the_snapshot_exact(SandboxPendingMode mode)
    {
        await using var harness = await BridgeHarness.StartAsync(mode);
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 120);
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);

        for (var cycle = 0; cycle < 10; cycle++)
        {
            harness.Clock.Advance(TimeSpan.FromMinutes(61));
            var posted = (await harness.UpstreamTransactionsAsync(linkId)).Where(t => !t.GetProperty("pending").GetBoolean()).ToList();
            if (cycle % 3 == 1)
            {
                var changed = posted[cycle].GetProperty("transaction_id").GetString();
                await harness.SandboxAsync(HttpMethod.Patch, $"sandbox/links/{linkId}/transactions/{changed}", new JsonObject { ["amount"] = 12.34 + cycle, ["description"] = "corrected " + cycle });
            }

            if (cycle % 3 == 2)
            {
                var removed = posted[cycle + 20].GetProperty("transaction_id").GetString();
                await harness.SandboxAsync(HttpMethod.Delete, $"sandbox/links/{linkId}/transactions/{removed}");
            }

            await harness.MoneyKit.RefreshProductsAsync(linkId, ["transactions", "accounts"]);
            var outcome = await harness.Engine.SyncAsync(linkId, SyncTrigger.Webhook);

            Assert.Equal(SyncStatus.Completed, outcome.Status);
            await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
        }

        var state = (await harness.Reader.GetStateAsync(linkId))!;
        var upstreamLink = SnapshotAssert.Link(await harness.UpstreamLinkAsync(linkId));
        Assert.Equal(upstreamLink.Products!.Transactions!.RefreshedAt, state.TransactionsRefreshedAt);
        Assert.Equal(state.TransactionsRefreshedAt, state.PendingRefreshedAt);
    }

    [Fact]
    public async Task A_sync_without_a_new_refresh_keeps_pending_rows_and_writes_nothing()
    {
        await using var harness = await BridgeHarness.StartAsync(SandboxPendingMode.ReplaceDropped);
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        var before = (await harness.Reader.GetAsync(linkId))!;
        Assert.Contains(before.Transactions, t => t.Pending);

        var again = await harness.Engine.SyncAsync(linkId, SyncTrigger.Manual);

        Assert.Equal((SyncStatus.Completed, 0, 0, 0, 0), (again.Status, again.Created, again.Updated, again.Removed, again.PendingReplaced));
        var after = (await harness.Reader.GetAsync(linkId))!;
        Assert.Equal(before.Transactions.Select(t => t.TransactionId), after.Transactions.Select(t => t.TransactionId));
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
    }

    [Fact]
    public async Task Concurrent_sync_requests_run_one_loop_at_a_time_and_end_exact()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 600);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => harness.Engine.SyncAsync(linkId, SyncTrigger.Webhook))));

        Assert.Equal(1, harness.MaxConcurrentSyncCalls);
        Assert.Contains(outcomes, o => o.Status == SyncStatus.Completed);
        Assert.All(outcomes, o => Assert.Contains(o.Status, new[] { SyncStatus.Completed, SyncStatus.Coalesced }));
        Assert.True(outcomes.Sum(o => o.Created) >= 600);
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
        Assert.Null((await harness.Reader.GetStateAsync(linkId))!.LeaseOwner);
    }

    [Fact]
    public async Task A_request_during_a_running_sync_makes_the_holder_run_again_before_releasing()
    {
        await using var harness = await BridgeHarness.StartAsync(SandboxPendingMode.ReplaceDropped);
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 250);
        var requested = false;
        SyncOutcome? second = null;
        harness.Engine.Checkpoint = async point =>
        {
            if (point == SyncCheckpoint.PageCommitted && !requested)
            {
                requested = true;
                // A change arrives upstream and its webhook lands while the first sync is still paging.
                var upstream = await harness.UpstreamTransactionsAsync(linkId);
                var changed = upstream.Last(t => !t.GetProperty("pending").GetBoolean()).GetProperty("transaction_id").GetString();
                await harness.SandboxAsync(HttpMethod.Patch, $"sandbox/links/{linkId}/transactions/{changed}", new JsonObject { ["description"] = "changed mid-sync" });
                second = await harness.Engine.SyncAsync(linkId, SyncTrigger.Webhook);
            }
        };

        var first = await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);

        Assert.Equal(SyncStatus.Coalesced, second!.Status);
        Assert.Equal(SyncStatus.Completed, first.Status);
        Assert.True(first.Updated >= 1, "the holder ran again and picked up the change");
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);
    }

    [Fact]
    public async Task A_link_deleted_upstream_is_recorded_and_not_synced_again()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        await harness.MoneyKit.DeleteLinkAsync(linkId);

        var outcome = await harness.Engine.SyncAsync(linkId, SyncTrigger.Webhook);
        var calls = (await harness.SandboxRequestsAsync("/transactions/sync")).Count;
        var again = await harness.Engine.SyncAsync(linkId, SyncTrigger.Timer);

        Assert.Equal(SyncStatus.LinkError, outcome.Status);
        Assert.Equal(SyncStatus.Skipped, again.Status);
        Assert.Equal(calls, (await harness.SandboxRequestsAsync("/transactions/sync")).Count);
        var state = (await harness.Reader.GetStateAsync(linkId))!;
        Assert.Equal("deleted", state.State);
        Assert.NotNull(state.SyncBlockedBy);
    }

    [Fact]
    public async Task Sync_history_is_recorded_and_bounded()
    {
        await using var harness = await BridgeHarness.StartAsync(sync: o => o.MaxHistory = 3);
        var linkId = await harness.CreateLinkAsync();

        for (var i = 0; i < 5; i++)
        {
            harness.Clock.Advance(TimeSpan.FromMinutes(1));
            await harness.Engine.SyncAsync(linkId, i == 0 ? SyncTrigger.LinkCreated : SyncTrigger.Manual);
        }

        var history = await harness.Tables.Links
            .QueryAsync<TableEntity>(LinkRows.KindFilter(LinkRows.Partition(linkId), LinkRows.SyncHistoryPrefix))
            .ToListAsync();
        Assert.Equal(3, history.Count);
        Assert.All(history, h => Assert.Equal("Completed", h.GetString("Outcome")));
        Assert.Equal("Manual", history[0].GetString("Trigger"));
        Assert.True(history[0].GetDateTimeOffset("StartedAt") > history[2].GetDateTimeOffset("StartedAt"), "newest first");
    }

    [Fact]
    public async Task A_link_without_the_transactions_product_keeps_fresh_accounts_and_is_not_blocked()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync(products: ["accounts"]);

        var outcome = await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);

        Assert.Equal(SyncStatus.Completed, outcome.Status);
        Assert.Empty(await harness.SandboxRequestsAsync("/transactions/sync"));
        var snapshot = (await harness.Reader.GetAsync(linkId))!;
        Assert.NotEmpty(snapshot.Accounts);
        Assert.Empty(snapshot.Transactions);
        Assert.Null(snapshot.State.SyncBlockedBy);
    }

    [Fact]
    public async Task Links_of_customer_users_with_very_long_ids_are_indexed_and_found()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var userId = string.Concat(Enumerable.Repeat("üser/é#?", 40)); // 320 characters, ~1,400 once key-encoded

        var linkId = await harness.CreateLinkAsync(userId);

        Assert.Equal([linkId], await harness.Lifecycle.GetUserLinkIdsAsync(userId));
        Assert.Empty(await harness.Lifecycle.GetUserLinkIdsAsync(userId + "x"));
    }
}

using System.Text.Json.Nodes;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Tests.Harness;

namespace MoneyKitBridge.Core.Tests.Refresh;

public sealed class RefreshStaleLinksJobTests
{
    private static async Task<int> RefreshCallsAsync(BridgeHarness harness, string linkId) =>
        (await harness.SandboxRequestsAsync($"/links/{linkId}/products")).Count(r => r.Method == "POST");

    [Fact]
    public async Task Only_connected_links_with_stale_transactions_are_refreshed()
    {
        await using var harness = await BridgeHarness.StartAsync(refresh: o => o.StaleAfter = TimeSpan.FromHours(6));
        var stale = await harness.CreateLinkAsync("user-a");
        var fresh = await harness.CreateLinkAsync("user-b");
        var broken = await harness.CreateLinkAsync("user-c");
        foreach (var link in new[] { stale, fresh, broken })
        {
            await harness.Engine.SyncAsync(link, SyncTrigger.LinkCreated);
        }

        harness.Clock.Advance(TimeSpan.FromHours(7));
        await harness.MoneyKit.RefreshProductsAsync(fresh, ["transactions"]);
        await harness.Engine.SyncAsync(fresh, SyncTrigger.Webhook);
        await harness.Lifecycle.ApplyStateChangeAsync(broken, "error", "auth_expired", harness.Clock.GetUtcNow());

        var result = await harness.Refresh.RunAsync();

        Assert.Equal((1, 1), (result.Due, result.Refreshed));
        Assert.Equal(1, await RefreshCallsAsync(harness, stale));
        Assert.Equal(1, await RefreshCallsAsync(harness, fresh)); // only the test's own call
        Assert.Equal(0, await RefreshCallsAsync(harness, broken));
    }

    [Fact]
    public async Task A_refreshed_link_is_not_refreshed_again_within_MoneyKits_hourly_limit()
    {
        await using var harness = await BridgeHarness.StartAsync(refresh: o => o.StaleAfter = TimeSpan.FromMinutes(10));
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        harness.Clock.Advance(TimeSpan.FromMinutes(11));

        var first = await harness.Refresh.RunAsync();
        harness.Clock.Advance(TimeSpan.FromMinutes(30));
        var second = await harness.Refresh.RunAsync();
        harness.Clock.Advance(TimeSpan.FromMinutes(31));
        var third = await harness.Refresh.RunAsync();

        Assert.Equal(1, first.Refreshed);
        Assert.Equal(0, second.Refreshed);
        Assert.Equal(1, third.Refreshed);
        Assert.Equal(2, await RefreshCallsAsync(harness, linkId));
    }

    [Fact]
    public async Task Two_overlapping_runs_refresh_each_due_link_once()
    {
        await using var harness = await BridgeHarness.StartAsync(refresh: o => o.MaxConcurrency = 3);
        var links = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var linkId = await harness.CreateLinkAsync("user-" + i);
            await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
            links.Add(linkId);
        }

        harness.Clock.Advance(TimeSpan.FromHours(7));

        var results = await Task.WhenAll(Task.Run(() => harness.Refresh.RunAsync()), Task.Run(() => harness.NewRefreshJob().RunAsync()));

        Assert.Equal(6, results.Sum(r => r.Refreshed));
        foreach (var linkId in links)
        {
            Assert.Equal(1, await RefreshCallsAsync(harness, linkId));
        }
    }

    [Fact]
    public async Task A_refresh_whose_webhook_never_came_is_synced_by_a_later_run()
    {
        await using var harness = await BridgeHarness.StartAsync(refresh: o => o.ReconcileAfter = TimeSpan.FromMinutes(5));
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        harness.Clock.Advance(TimeSpan.FromHours(7));
        await harness.Refresh.RunAsync(); // asks MoneyKit to refresh; the sandbox completes it, no webhook reaches us
        var before = (await harness.Reader.GetStateAsync(linkId))!.TransactionsRefreshedAt;

        harness.Clock.Advance(TimeSpan.FromMinutes(6));
        var later = await harness.Refresh.RunAsync();

        Assert.Equal(1, later.Synced);
        var after = (await harness.Reader.GetStateAsync(linkId))!.TransactionsRefreshedAt;
        Assert.True(after > before, "the completed upstream refresh was synced");
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, linkId);

        harness.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(0, (await harness.Refresh.RunAsync()).Reconciled);
    }

    [Fact]
    public async Task A_429_stops_new_refreshes_for_the_run_and_is_remembered_for_the_link()
    {
        await using var harness = await BridgeHarness.StartAsync(refresh: o => o.MaxConcurrency = 1);
        var links = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var linkId = await harness.CreateLinkAsync("user-" + i);
            await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
            links.Add(linkId);
        }

        harness.Clock.Advance(TimeSpan.FromHours(7));
        await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["method"] = "POST", ["path_prefix"] = "/links/", ["status"] = 429, ["error_code"] = "api_error.rate_limit_exceeded", ["retry_after_seconds"] = 7200, ["count"] = 100 });

        var limited = await harness.Refresh.RunAsync();

        Assert.Equal(1, limited.RateLimited);
        Assert.Equal(0, limited.Refreshed);
        Assert.True(limited.StoppedEarly);

        await harness.SandboxAsync(HttpMethod.Delete, "sandbox/faults");
        harness.Clock.Advance(TimeSpan.FromMinutes(90));
        var next = await harness.Refresh.RunAsync();
        Assert.Equal(2, next.Refreshed); // the rate-limited link waits for its Retry-After (2 h)
        harness.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(1, (await harness.Refresh.RunAsync()).Refreshed);
    }

    [Fact]
    public async Task The_run_stops_at_its_link_budget()
    {
        await using var harness = await BridgeHarness.StartAsync(refresh: o => o.MaxLinksPerRun = 2);
        for (var i = 0; i < 5; i++)
        {
            await harness.Engine.SyncAsync(await harness.CreateLinkAsync("user-" + i), SyncTrigger.LinkCreated);
        }

        harness.Clock.Advance(TimeSpan.FromHours(7));

        Assert.Equal(2, (await harness.Refresh.RunAsync()).Refreshed);
        Assert.Equal(2, (await harness.Refresh.RunAsync()).Refreshed);
        Assert.Equal(1, (await harness.Refresh.RunAsync()).Refreshed);
    }
}

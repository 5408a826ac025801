using System.Text.Json.Nodes;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Tests.Harness;
using MoneyKitBridge.MoneyKit;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Refresh;

public sealed class OnDemandRefreshTests
{
    private static async Task<int> RefreshCallsAsync(BridgeHarness harness, string linkId) =>
        (await harness.SandboxRequestsAsync($"/links/{linkId}/products")).Count(r => r.Method == "POST");

    [Fact]
    public async Task The_initial_pull_does_not_count_and_each_accepted_refresh_counts_for_its_own_products()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        var refresh = new OnDemandRefresh(harness.Tables, harness.MoneyKit, harness.Clock);

        Assert.True((await refresh.RequestAsync(linkId, ["transactions"])).Accepted); // freshly linked: MoneyKit accepts
        harness.Clock.Advance(TimeSpan.FromMinutes(10));
        var again = await refresh.RequestAsync(linkId, ["transactions"]);
        Assert.True((await refresh.RequestAsync(linkId, ["accounts"])).Accepted); // another product, its own limit

        Assert.False(again.Accepted);
        Assert.False(again.ByMoneyKit);
        Assert.Equal(TimeSpan.FromMinutes(50), again.RetryAfter);
        Assert.Equal(2, await RefreshCallsAsync(harness, linkId)); // the refusal spent no call
    }

    [Fact]
    public async Task A_refresh_the_timer_made_counts_for_the_on_demand_route()
    {
        await using var harness = await BridgeHarness.StartAsync(refresh: o => o.StaleAfter = TimeSpan.FromMinutes(10));
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        var refresh = new OnDemandRefresh(harness.Tables, harness.MoneyKit, harness.Clock);
        harness.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, (await harness.Refresh.RunAsync()).Refreshed);
        harness.Clock.Advance(TimeSpan.FromMinutes(20));

        var transactions = await refresh.RequestAsync(linkId, ["transactions", "identity"]);
        var identity = await refresh.RequestAsync(linkId, ["identity"]);

        Assert.Equal((false, TimeSpan.FromMinutes(40)), (transactions.Accepted, transactions.RetryAfter));
        Assert.True(identity.Accepted); // the timer refreshes transactions and accounts only
        Assert.Equal(2, await RefreshCallsAsync(harness, linkId));
    }

    [Fact]
    public async Task An_on_demand_refresh_keeps_the_timer_within_the_limit()
    {
        await using var harness = await BridgeHarness.StartAsync(refresh: o => o.StaleAfter = TimeSpan.FromMinutes(10));
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        var refresh = new OnDemandRefresh(harness.Tables, harness.MoneyKit, harness.Clock);
        harness.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.True((await refresh.RequestAsync(linkId, ["accounts"])).Accepted);

        harness.Clock.Advance(TimeSpan.FromMinutes(59));
        var within = await harness.Refresh.RunAsync();
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        var after = await harness.Refresh.RunAsync();

        Assert.Equal(0, within.Refreshed);
        Assert.Equal(1, after.Refreshed);
        Assert.Equal(2, await RefreshCallsAsync(harness, linkId));
    }

    [Fact]
    public async Task Asked_of_several_instances_at_once_a_refresh_reaches_MoneyKit_once()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        var instances = Enumerable.Range(0, 5).Select(_ => new OnDemandRefresh(harness.Tables, harness.MoneyKit, harness.Clock)).ToList();

        var results = await Task.WhenAll(instances.Select(refresh => refresh.RequestAsync(linkId, ["transactions"])));

        Assert.Single(results, r => r.Accepted);
        Assert.All(results.Where(r => !r.Accepted), r => Assert.Equal((false, TimeSpan.FromHours(1)), (r.ByMoneyKit, r.RetryAfter)));
        Assert.Equal(1, await RefreshCallsAsync(harness, linkId)); // the others were refused by the bridge, not by MoneyKit
    }

    [Fact]
    public async Task A_refresh_MoneyKit_did_not_accept_gives_its_claim_back()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        var refresh = new OnDemandRefresh(harness.Tables, harness.MoneyKit, harness.Clock);
        Assert.True((await refresh.RequestAsync(linkId, ["accounts"])).Accepted);
        harness.Clock.Advance(TimeSpan.FromMinutes(61));
        var acceptedAccounts = LinkIndex.LastAcceptedRefresh(await LinkIndex.GetAsync(harness.Tables, linkId, CancellationToken.None), "accounts");
        await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["method"] = "POST", ["path_prefix"] = $"/links/{linkId}/products", ["status"] = 500, ["count"] = 1 });

        await Assert.ThrowsAsync<MoneyKitException>(() => refresh.RequestAsync(linkId, ["transactions", "accounts"]));
        var index = await LinkIndex.GetAsync(harness.Tables, linkId, CancellationToken.None);
        var retried = await refresh.RequestAsync(linkId, ["transactions", "accounts"]);

        Assert.Null(LinkIndex.LastAcceptedRefresh(index, "transactions")); // never accepted: no record
        Assert.Equal(acceptedAccounts, LinkIndex.LastAcceptedRefresh(index, "accounts")); // the earlier acceptance again
        Assert.True(retried.Accepted);
        Assert.Equal(3, await RefreshCallsAsync(harness, linkId));
    }

    [Fact]
    public async Task A_timer_refresh_on_its_way_to_MoneyKit_holds_off_an_on_demand_refresh_on_another_instance()
    {
        await using var harness = await BridgeHarness.StartAsync(refresh: o => o.StaleAfter = TimeSpan.FromMinutes(10));
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        harness.Clock.Advance(TimeSpan.FromMinutes(11));
        var claimedAt = harness.Clock.GetUtcNow();
        // MoneyKit takes a second (of the test clock) to answer the timer's refresh.
        await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["method"] = "POST", ["path_prefix"] = $"/links/{linkId}/products", ["latency_ms"] = 1000, ["count"] = 1 });

        var run = harness.Refresh.RunAsync();
        await Eventually.TrueAsync(() => harness.Clock.NextTimerDueIn == TimeSpan.FromSeconds(1), "the timer's refresh to wait at MoneyKit");
        var onDemand = await new OnDemandRefresh(harness.Tables, harness.MoneyKit, harness.Clock).RequestAsync(linkId, ["transactions"]);
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        var timer = await run;

        Assert.Equal((false, false, TimeSpan.FromHours(1)), (onDemand.Accepted, onDemand.ByMoneyKit, onDemand.RetryAfter));
        Assert.Equal(1, timer.Refreshed);
        Assert.Equal(1, await RefreshCallsAsync(harness, linkId));
        Assert.Equal(claimedAt, LinkIndex.LastAcceptedRefresh(await LinkIndex.GetAsync(harness.Tables, linkId, CancellationToken.None), "transactions"));
    }
}

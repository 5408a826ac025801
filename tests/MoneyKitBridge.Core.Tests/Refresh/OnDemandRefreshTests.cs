using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Tests.Harness;

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
}

using System.Text.Json.Nodes;
using MoneyKitBridge.Core.Products;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Tests.Harness;

namespace MoneyKitBridge.Core.Tests.Products;

/// <summary>
/// Syncs fetch account numbers and identity only when the link grants them and MoneyKit refreshed them since they
/// were stored (or they never were); a MoneyKit refusal leaves the sync complete and is retried by the next sync.
/// </summary>
public sealed class ProductDataFetcherTests : IAsyncLifetime
{
    private BridgeHarness harness = null!;

    public async Task InitializeAsync() => harness = await BridgeHarness.StartAsync();

    public async Task DisposeAsync() => await harness.DisposeAsync();

    [Fact]
    public async Task The_first_sync_stores_both_products_and_later_syncs_fetch_only_what_MoneyKit_refreshed()
    {
        var linkId = await harness.CreateLinkAsync();
        var reader = new ProductDataReader(harness.Tables);
        Assert.Null(await reader.GetAsync(linkId, SensitiveProducts.AccountNumbers));

        Assert.Equal(SyncStatus.Completed, (await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated)).Status);
        Assert.Equal(3, (await reader.GetAsync(linkId, SensitiveProducts.AccountNumbers))!.Count);
        Assert.Equal(3, (await reader.GetAsync(linkId, SensitiveProducts.Identity))!.Count);
        Assert.Single(await harness.SandboxRequestsAsync("/accounts/numbers"));
        Assert.Single(await harness.SandboxRequestsAsync("/identity"));

        harness.Clock.Advance(TimeSpan.FromMinutes(5));
        await harness.Engine.SyncAsync(linkId, SyncTrigger.Timer);
        Assert.Single(await harness.SandboxRequestsAsync("/accounts/numbers")); // nothing refreshed: nothing fetched
        Assert.Single(await harness.SandboxRequestsAsync("/identity"));

        await harness.MoneyKit.RefreshProductsAsync(linkId, ["account_numbers"]);
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        await harness.Engine.SyncAsync(linkId, SyncTrigger.Webhook);
        Assert.Equal(2, (await harness.SandboxRequestsAsync("/accounts/numbers")).Count);
        Assert.Single(await harness.SandboxRequestsAsync("/identity"));
    }

    [Fact]
    public async Task Products_the_link_does_not_grant_are_never_fetched()
    {
        var linkId = await harness.CreateLinkAsync(products: ["accounts", "transactions"]);

        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);

        Assert.Empty(await harness.SandboxRequestsAsync("/accounts/numbers"));
        Assert.Empty(await harness.SandboxRequestsAsync("/identity"));
        Assert.Null(await new ProductDataReader(harness.Tables).GetAsync(linkId, SensitiveProducts.Identity));
    }

    [Fact]
    public async Task A_refused_fetch_leaves_the_sync_complete_and_the_next_sync_fetches_again()
    {
        var linkId = await harness.CreateLinkAsync();
        await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["path_prefix"] = $"/links/{linkId}/identity", ["status"] = 400, ["count"] = 1 });

        Assert.Equal(SyncStatus.Completed, (await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated)).Status);
        var reader = new ProductDataReader(harness.Tables);
        Assert.Null(await reader.GetAsync(linkId, SensitiveProducts.Identity));
        Assert.NotNull(await reader.GetAsync(linkId, SensitiveProducts.AccountNumbers));

        await harness.Engine.SyncAsync(linkId, SyncTrigger.Timer);
        Assert.Equal(3, (await reader.GetAsync(linkId, SensitiveProducts.Identity))!.Count);
    }
}

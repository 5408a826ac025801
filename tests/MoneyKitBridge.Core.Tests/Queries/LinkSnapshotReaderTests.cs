using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Tests.Harness;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Queries;

public sealed class LinkSnapshotReaderTests
{
    [Fact]
    public async Task Writes_in_this_process_are_seen_at_once_and_other_instances_writes_within_the_freshness_window()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        // This process: one store (1 s reuse window) shared by the reader and the lifecycle, as the app registers it.
        var states = new LinkStateStore(harness.Tables, harness.Clock, Options.Create(new LinkStateOptions { MaxAge = TimeSpan.FromSeconds(1) }));
        var reader = new LinkSnapshotReader(harness.Tables, states);
        var lifecycle = new LinkLifecycle(harness.Tables, states, harness.MoneyKit, harness.Clock, NullLogger<LinkLifecycle>.Instance);
        var before = (await reader.GetAsync(linkId))!;

        // Another instance: its own store (own cache) over the same storage.
        var otherInstance = new LinkStateStore(BridgeTables.Connect(TestStorage.ConnectionString, harness.Tables.Prefix), harness.Clock, Options.Create(new LinkStateOptions()));
        await otherInstance.UpdateAsync(linkId, s => s with { Version = s.Version + 1, ErrorCode = "from_elsewhere" });

        Assert.Equal(before.State.Version, (await reader.GetStateAsync(linkId))!.Version);
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("from_elsewhere", (await reader.GetStateAsync(linkId))!.ErrorCode);

        // This process: the lifecycle writes through the shared store, so the reader sees it immediately.
        await lifecycle.ApplyStateChangeAsync(linkId, "error", "auth_expired", harness.Clock.GetUtcNow());
        var after = (await reader.GetAsync(linkId))!;
        Assert.Equal(("error", "auth_expired"), (after.State.State, after.State.ErrorCode));
        Assert.Equal(before.Transactions.Count, after.Transactions.Count);
    }
}

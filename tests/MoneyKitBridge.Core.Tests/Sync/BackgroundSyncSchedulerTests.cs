using Microsoft.Extensions.Logging.Abstractions;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Tests.Harness;

namespace MoneyKitBridge.Core.Tests.Sync;

public sealed class BackgroundSyncSchedulerTests
{
    [Fact]
    public async Task Start_WhileARunIsInFlight_CoalescesIntoItAndSyncsToTheEnd()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await using var scheduler = new BackgroundSyncScheduler(harness.Engine, NullLogger<BackgroundSyncScheduler>.Instance);

        var first = scheduler.Start(linkId, SyncTrigger.LinkCreated);
        var second = scheduler.Start(linkId, SyncTrigger.Webhook);
        await scheduler.WhenIdleAsync();

        Assert.Same(first, second);
        Assert.Equal(SyncStatus.Completed, (await first).Status);
        Assert.True((await harness.Reader.GetStateAsync(linkId))!.HasData);
        Assert.NotSame(first, scheduler.Start(linkId, SyncTrigger.Webhook));
        await scheduler.WhenIdleAsync();
    }
}

using MoneyKitBridge.Core.Queries;

namespace MoneyKitBridge.Core.Tests.Queries;

public sealed class FeedPositionTests
{
    [Fact]
    public void Precedes_orders_by_sequence_then_transaction_id()
    {
        var mid = new FeedPosition(5, "b");

        Assert.True(mid.Precedes(6, "a"));
        Assert.True(mid.Precedes(5, "c"));
        Assert.False(mid.Precedes(5, "b"));
        Assert.False(mid.Precedes(5, "a"));
        Assert.False(mid.Precedes(4, "z"));
        Assert.False(new FeedPosition(5, null).Precedes(5, "zzz"));
        Assert.True(FeedPosition.Start.Precedes(0, "a"));
    }

    [Fact]
    public void IsOlderThan_refuses_positions_that_have_not_read_every_purged_tombstone()
    {
        Assert.False(FeedPosition.Start.IsOlderThan(10));
        Assert.False(new FeedPosition(3, null).IsOlderThan(0));
        Assert.True(new FeedPosition(9, null).IsOlderThan(10));
        Assert.True(new FeedPosition(10, "a").IsOlderThan(10));
        Assert.False(new FeedPosition(10, null).IsOlderThan(10));
        Assert.False(new FeedPosition(11, "a").IsOlderThan(10));
    }
}

using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Transactions;

namespace MoneyKitBridge.Functions.Tests.Transactions;

public sealed class TransactionListCursorTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(int.MaxValue)]
    public void A_cursor_reads_back_its_offset_for_its_own_link(int offset)
    {
        var cursor = TransactionListCursor.Encode("mk_link_a", offset);

        Assert.True(TransactionListCursor.TryDecode(cursor, "mk_link_a", out var read));
        Assert.Equal(offset, read);
        Assert.DoesNotContain("mk_link_a", cursor, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_links_cursor_an_edited_cursor_and_a_feed_cursor_are_refused()
    {
        var cursor = TransactionListCursor.Encode("mk_link_a", 10);
        var edited = (cursor[^1] == 'A' ? cursor[..^1] + "B" : cursor[..^1] + "A");
        var feed = FeedCursor.Encode("mk_link_a", FeedPosition.Start);

        foreach (var bad in new[] { edited, cursor[..^2], cursor + "AA", feed, "not-a-cursor", "", new string('A', 5000) })
        {
            Assert.False(TransactionListCursor.TryDecode(bad, "mk_link_a", out _), bad);
        }

        Assert.False(TransactionListCursor.TryDecode(cursor, "mk_link_b", out _));
    }
}

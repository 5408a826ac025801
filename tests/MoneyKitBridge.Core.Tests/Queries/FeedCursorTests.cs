using System.Buffers.Text;
using MoneyKitBridge.Core.Queries;

namespace MoneyKitBridge.Core.Tests.Queries;

public sealed class FeedCursorTests
{
    [Theory]
    [InlineData(-1, null)]
    [InlineData(0, null)]
    [InlineData(7, "txn_01abc")]
    [InlineData(long.MaxValue, "ü-long-id-\u00e9")]
    public void Encode_then_TryDecode_gives_the_position_back(long sequence, string? lastId)
    {
        var cursor = FeedCursor.Encode("link_1", new FeedPosition(sequence, lastId));

        Assert.True(FeedCursor.TryDecode(cursor, "link_1", out var position));
        Assert.Equal(new FeedPosition(sequence, lastId), position);
        Assert.DoesNotContain("txn_01abc", cursor, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_refuses_a_cursor_of_another_link()
    {
        var cursor = FeedCursor.Encode("link_1", new FeedPosition(3, "txn_a"));

        Assert.False(FeedCursor.TryDecode(cursor, "link_2", out _));
    }

    [Fact]
    public void TryDecode_refuses_every_single_byte_change()
    {
        var bytes = Base64Url.DecodeFromChars(FeedCursor.Encode("link_1", new FeedPosition(3, "txn_a")));
        for (var i = 0; i < bytes.Length; i++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x01;
            Assert.False(FeedCursor.TryDecode(Base64Url.EncodeToString(tampered), "link_1", out _), $"byte {i} changed and the cursor still decoded");
        }

        Assert.False(FeedCursor.TryDecode(Base64Url.EncodeToString(bytes.AsSpan(0, bytes.Length - 1)), "link_1", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 !")]
    [InlineData("AAAA")]
    [InlineData("djE6bGlua18xOjU")] // a sandbox (MoneyKit-style) cursor
    public void TryDecode_refuses_what_the_bridge_did_not_issue(string cursor)
    {
        Assert.False(FeedCursor.TryDecode(cursor, "link_1", out _));
        Assert.False(FeedCursor.TryDecode(new string('A', FeedCursor.MaxLength + 1), "link_1", out _));
    }
}

using MoneyKitBridge.Core.Queries;

namespace MoneyKitBridge.Core.Tests.Queries;

/// <summary>
/// An app mirroring a link from the bridge's change feed the way MoneyKit tells apps to: it keeps only the opaque cursor
/// between reads, applies <c>created</c>/<c>updated</c> as upserts and <c>removed</c> as deletes. It also checks, on every
/// page, the feed's promises: changes come in strictly increasing (sequence, id) order over the consumer's whole life (so
/// none is served twice), and nothing listed as <c>created</c> is already held.
/// </summary>
internal sealed class FeedConsumer(string linkId)
{
    private FeedPosition? lastServed;

    public Dictionary<string, string> Transactions { get; } = new(StringComparer.Ordinal);

    public string? Cursor { get; private set; }

    public int Pages { get; private set; }

    /// <summary>How many changes of each kind were applied (to show a run exercised them).</summary>
    public (int Created, int Updated, int Removed) Applied { get; private set; }

    /// <summary>Reads one page; returns <see cref="ChangePage.HasMore"/>.</summary>
    public async Task<bool> ReadPageAsync(LinkChangeFeed feed, Core.Storage.LinkStateStore states, int size)
    {
        var state = await states.GetAsync(linkId) ?? throw new InvalidOperationException("link vanished");
        var from = FeedPosition.Start;
        if (Cursor is not null)
        {
            Assert.True(FeedCursor.TryDecode(Cursor, linkId, out var decoded), "the feed's own cursor did not decode");
            from = decoded.Value;
        }

        var page = await feed.ReadAsync(state, from, size);
        Assert.Equal(ChangeFeedStatus.Page, page.Status);
        Assert.True(page.Created.Count + page.Updated.Count + page.Removed.Count <= size, "page larger than size");
        foreach (var change in page.Created.Concat(page.Updated).Concat(page.Removed).OrderBy(c => c.Sequence).ThenBy(c => c.TransactionId, StringComparer.Ordinal))
        {
            var at = new FeedPosition(change.Sequence, change.TransactionId);
            Assert.True(lastServed is null || lastServed.Value.Precedes(change.Sequence, change.TransactionId), $"change {at} served again or out of order after {lastServed}");
            Assert.True(from.Precedes(change.Sequence, change.TransactionId), $"change {at} is not after the cursor {from}");
            lastServed = at;
        }

        foreach (var created in page.Created)
        {
            Assert.False(Transactions.ContainsKey(created.TransactionId), $"{created.TransactionId} listed as created but the consumer already holds it");
            Transactions[created.TransactionId] = created.Json;
        }

        foreach (var updated in page.Updated)
        {
            Transactions[updated.TransactionId] = updated.Json;
        }

        foreach (var removed in page.Removed)
        {
            Transactions.Remove(removed.TransactionId);
        }

        Applied = (Applied.Created + page.Created.Count, Applied.Updated + page.Updated.Count, Applied.Removed + page.Removed.Count);
        Assert.True(IsAfter(page.Next, from), $"the cursor moved backwards: {from} -> {page.Next}");
        Cursor = FeedCursor.Encode(linkId, page.Next);
        Pages++;
        return page.HasMore;
    }

    public async Task ReadToEndAsync(LinkChangeFeed feed, Core.Storage.LinkStateStore states, int size)
    {
        for (var i = 0; i < 10_000 && await ReadPageAsync(feed, states, size); i++)
        {
        }
    }

    private static bool IsAfter(FeedPosition a, FeedPosition b) =>
        a.Sequence > b.Sequence || (a.Sequence == b.Sequence && (a.LastTransactionId is null || (b.LastTransactionId is not null && string.CompareOrdinal(a.LastTransactionId, b.LastTransactionId) >= 0)));
}

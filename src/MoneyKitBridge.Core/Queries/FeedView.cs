namespace MoneyKitBridge.Core.Queries;

/// <summary>
/// A link's committed changes at one snapshot version from feed sequence <see cref="MinSequence"/> on (every change when
/// it is <see cref="Everything"/>), ordered by (sequence, transaction id).
/// </summary>
internal sealed record FeedView(long Version, long FeedSequence, long MinSequence, FeedChange[] Changes, IReadOnlyList<StoredAccount> Accounts)
{
    /// <summary>The <see cref="MinSequence"/> of a view of every row of the partition.</summary>
    public const long Everything = -1;

    /// <summary>True when the view holds every change a consumer at <paramref name="from"/> may still need.</summary>
    public bool Serves(FeedPosition from) => from.Sequence >= MinSequence;

    public static int Compare(FeedChange a, FeedChange b)
    {
        var bySequence = a.Sequence.CompareTo(b.Sequence);
        return bySequence != 0 ? bySequence : string.CompareOrdinal(a.TransactionId, b.TransactionId);
    }

    /// <summary>
    /// The changes after <paramref name="from"/>, at most <paramref name="size"/>. A tombstone of a transaction that
    /// first appeared after <paramref name="from"/> is left out (the consumer never received it); the next position is
    /// the last change served, or, when nothing is left, the whole committed sequence (never behind <paramref name="from"/>).
    /// </summary>
    public ChangePage Read(FeedPosition from, int size)
    {
        var created = new List<FeedChange>();
        var updated = new List<FeedChange>();
        var removed = new List<FeedChange>();
        var i = FirstAfter(from);
        var last = from;
        while (i < Changes.Length && created.Count + updated.Count + removed.Count < size)
        {
            var change = Changes[i++];
            var unseen = from.Precedes(change.CreatedSequence, change.TransactionId);
            if (change.Removed)
            {
                if (!unseen)
                {
                    removed.Add(change);
                }
            }
            else
            {
                (unseen ? created : updated).Add(change);
            }

            last = new FeedPosition(change.Sequence, change.TransactionId);
        }

        while (i < Changes.Length && Changes[i].Removed && from.Precedes(Changes[i].CreatedSequence, Changes[i].TransactionId))
        {
            i++; // tombstones the consumer has no use for: not worth another page
        }

        var hasMore = i < Changes.Length;
        var next = hasMore ? last : Later(from, new FeedPosition(FeedSequence, null));
        return new ChangePage(ChangeFeedStatus.Page, created, updated, removed, Accounts, next, hasMore);
    }

    private int FirstAfter(FeedPosition from)
    {
        int lo = 0, hi = Changes.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (from.Precedes(Changes[mid].Sequence, Changes[mid].TransactionId))
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private static FeedPosition Later(FeedPosition a, FeedPosition b)
    {
        if (a.Sequence != b.Sequence)
        {
            return a.Sequence > b.Sequence ? a : b;
        }

        return a.LastTransactionId is null ? a : b;
    }
}

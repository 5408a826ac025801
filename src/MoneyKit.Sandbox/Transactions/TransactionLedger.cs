namespace MoneyKit.Sandbox.Transactions;

/// <summary>
/// A link's transactions with a change sequence for cursor sync. Every create, update and removal takes the next
/// sequence number; a sync cursor is the last sequence a client has seen. Not thread-safe: callers hold the link's lock.
/// </summary>
internal sealed class TransactionLedger
{
    private readonly Dictionary<string, SandboxTransaction> byId = new(StringComparer.Ordinal);
    private readonly SortedList<long, SandboxTransaction> byChange = [];
    private SandboxTransaction[]? newestFirst;
    private long sequence;

    public long Sequence => sequence;

    public int LiveCount { get; private set; }

    public SandboxTransaction? Find(string id) =>
        byId.TryGetValue(id, out var txn) && !txn.Removed ? txn : null;

    public void Add(SandboxTransaction transaction)
    {
        transaction.CreatedSeq = ++sequence;
        transaction.ChangedSeq = transaction.CreatedSeq;
        byId.Add(transaction.Id, transaction);
        byChange.Add(transaction.ChangedSeq, transaction);
        LiveCount++;
        newestFirst = null;
    }

    /// <summary>Applies <paramref name="change"/> and records it as an update.</summary>
    public void Update(SandboxTransaction transaction, Action<SandboxTransaction> change)
    {
        change(transaction);
        Touch(transaction);
    }

    /// <summary>Removes a transaction; <paramref name="dropped"/> hides it from sync <c>removed</c> (MoneyKit pending replacement).</summary>
    public void Remove(SandboxTransaction transaction, bool dropped)
    {
        transaction.Removed = true;
        transaction.Dropped = dropped;
        LiveCount--;
        Touch(transaction);
    }

    /// <summary>
    /// Erases matching transactions without a trace (no sync entry): for data the link never exposed, such as
    /// transactions of accounts the user did not grant in Connect.
    /// </summary>
    public void Purge(Func<SandboxTransaction, bool> match)
    {
        foreach (var txn in byId.Values.Where(match).ToList())
        {
            byId.Remove(txn.Id);
            byChange.Remove(txn.ChangedSeq);
            if (!txn.Removed)
            {
                LiveCount--;
            }
        }

        newestFirst = null;
    }

    public IEnumerable<SandboxTransaction> Live => byId.Values.Where(t => !t.Removed);

    /// <summary>Live transactions newest first (date, then time, then id descending), cached until the next change.</summary>
    public IReadOnlyList<SandboxTransaction> NewestFirst()
    {
        if (newestFirst is null)
        {
            var live = byId.Values.Where(t => !t.Removed).ToArray();
            Array.Sort(live, static (a, b) =>
            {
                var byDate = b.Date.CompareTo(a.Date);
                if (byDate != 0)
                {
                    return byDate;
                }

                var byTime = b.Time.CompareTo(a.Time);
                return byTime != 0 ? byTime : string.CompareOrdinal(b.Id, a.Id);
            });
            newestFirst = live;
        }

        return newestFirst;
    }

    /// <summary>The changes after <paramref name="after"/>, at most <paramref name="size"/> entries, in change order.</summary>
    public SyncBatch ChangesAfter(long after, int size)
    {
        var keys = byChange.Keys;
        var index = FirstIndexAfter(keys, after);
        var created = new List<SandboxTransaction>();
        var updated = new List<SandboxTransaction>();
        var removed = new List<string>();
        var next = after;
        var taken = 0;
        while (index < keys.Count && taken < size)
        {
            var txn = byChange.Values[index];
            next = keys[index];
            index++;
            if (txn.Removed)
            {
                // A client that never saw it has nothing to remove; dropped pending rows are never reported.
                if (txn.CreatedSeq <= after && !txn.Dropped)
                {
                    removed.Add(txn.Id);
                    taken++;
                }

                continue;
            }

            (txn.CreatedSeq > after ? created : updated).Add(txn);
            taken++;
        }

        return new SyncBatch(created, updated, removed, next, index < keys.Count);
    }

    private void Touch(SandboxTransaction transaction)
    {
        byChange.Remove(transaction.ChangedSeq);
        transaction.ChangedSeq = ++sequence;
        byChange.Add(transaction.ChangedSeq, transaction);
        newestFirst = null;
    }

    private static int FirstIndexAfter(IList<long> keys, long after)
    {
        int lo = 0, hi = keys.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (keys[mid] <= after)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

internal sealed record SyncBatch(
    IReadOnlyList<SandboxTransaction> Created, IReadOnlyList<SandboxTransaction> Updated, IReadOnlyList<string> Removed, long Next, bool HasMore);

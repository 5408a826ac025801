using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Queries;

/// <summary>A stored transaction: the fields queries filter and sort on, plus MoneyKit's JSON to serve as is.</summary>
public sealed record StoredTransaction(string TransactionId, string AccountId, DateOnly Date, DateTimeOffset? Datetime, bool Pending, string Json);

/// <summary>A stored account and its MoneyKit JSON.</summary>
public sealed record StoredAccount(string AccountId, string Json);

/// <summary>Everything the bridge holds about one link at one snapshot version; transactions newest first.</summary>
public sealed record LinkSnapshot(LinkState State, IReadOnlyList<StoredAccount> Accounts, IReadOnlyList<StoredTransaction> Transactions)
{
    /// <summary>Newest first: date, then time of day (known before unknown), then transaction id (descending, as MoneyKit's sandbox orders) — a total, stable order.</summary>
    public static int CompareNewestFirst(StoredTransaction a, StoredTransaction b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var byDate = b.Date.CompareTo(a.Date);
        if (byDate != 0)
        {
            return byDate;
        }

        var byTime = (a.Datetime, b.Datetime) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            ({ } x, { } y) => y.CompareTo(x),
        };
        return byTime != 0 ? byTime : string.CompareOrdinal(b.TransactionId, a.TransactionId);
    }
}

using System.Globalization;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// Key layout of the bridge's tables. Every key derived from an outside value goes through
/// <see cref="TableKeys.ForValue"/> (encoded, hashed when long), so it is valid and fits the key limit. Row keys
/// sort by kind; history rows sort newest first. A link's accounts and transactions belong to a generation of its
/// snapshot (<see cref="LinkState.Generation"/>; a full resync builds the next one beside the one serving): generation
/// 0 keeps the original prefixes (<c>acct_</c>, <c>tx_</c>), generation n uses <c>acct{n}_</c> and <c>tx{n}_</c>, so
/// every generation is one key range of the link's partition and no generation's range holds another's rows.
/// </summary>
public static class LinkRows
{
    public const string StateRow = "state";
    public const string AccountPrefix = "acct_";
    public const string TransactionPrefix = "tx_";
    public const string SyncHistoryPrefix = "sync_";
    public const string EventPrefix = "evt_";
    public const string ProductPrefix = "prod_";
    public const string IndexPartition = "links";

    /// <summary>The partition of a link (table <c>links</c> and <c>linkstates</c>) and its row key in <c>linkindex</c>.</summary>
    public static string Partition(string linkId) => TableKeys.ForValue(linkId);

    /// <summary>Row key prefix of the account rows of snapshot generation <paramref name="generation"/>.</summary>
    public static string AccountPrefixOf(long generation) => generation == 0 ? AccountPrefix : Generational("acct", generation);

    /// <summary>Row key prefix of the transaction rows of snapshot generation <paramref name="generation"/>.</summary>
    public static string TransactionPrefixOf(long generation) => generation == 0 ? TransactionPrefix : Generational("tx", generation);

    public static string Account(string accountId, long generation = 0) => AccountPrefixOf(generation) + TableKeys.ForValue(accountId);

    public static string Transaction(string transactionId, long generation = 0) => TransactionPrefixOf(generation) + TableKeys.ForValue(transactionId);

    /// <summary>Newest first: the row key holds the ticks remaining until the end of time.</summary>
    public static string SyncHistory(DateTimeOffset at) => SyncHistoryPrefix + Inverted(at) + "_" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The row of a webhook event in the link's <c>linkstates</c> partition, keyed by its idempotency key (so a second delivery cannot insert it again).</summary>
    public static string Event(string idempotencyKey) => EventPrefix + TableKeys.ForValue(idempotencyKey);

    /// <summary>The row of a product's refresh state in the link's <c>linkstates</c> partition.</summary>
    public static string Product(string product) => ProductPrefix + TableKeys.ForValue(product);

    /// <summary>The <c>userlinks</c> partition of a customer user.</summary>
    public static string UserPartition(string userId) => TableKeys.ForValue(userId);

    private static string Generational(string kind, long generation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        return kind + generation.ToString(CultureInfo.InvariantCulture) + "_";
    }

    private static string Inverted(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>Filter of the rows of one kind (row key prefix) in a partition.</summary>
    public static string KindFilter(string partition, string prefix) => TableKeys.KindFilter(partition, prefix);
}

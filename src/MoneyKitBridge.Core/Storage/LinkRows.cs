using System.Globalization;
using MoneyKitBridge.TableStorage;

namespace MoneyKitBridge.Core.Storage;

/// <summary>Key layout of a link's partition. Row keys sort by kind; history rows sort newest first.</summary>
public static class LinkRows
{
    public const string StateRow = "state";
    public const string AccountPrefix = "acct_";
    public const string TransactionPrefix = "tx_";
    public const string SyncHistoryPrefix = "sync_";
    public const string EventPrefix = "evt_";
    public const string IndexPartition = "links";

    public static string Partition(string linkId) => TableKey.Encode(linkId);

    public static string Account(string accountId) => AccountPrefix + TableKey.Encode(accountId);

    public static string Transaction(string transactionId) => TransactionPrefix + TableKey.Encode(transactionId);

    /// <summary>Newest first: the row key holds the ticks remaining until the end of time.</summary>
    public static string SyncHistory(DateTimeOffset at) => SyncHistoryPrefix + Inverted(at) + "_" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The row of a webhook event in the link's <c>linkstates</c> partition, keyed by its idempotency key (so a second delivery cannot insert it again).</summary>
    public static string Event(string idempotencyKey) => EventPrefix + TableKey.Encode(idempotencyKey);

    private static string Inverted(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    public static string KindFilter(string partition, string prefix) =>
        TableFilter.Create($"PartitionKey eq {partition}") + " and " + TableFilter.StartsWith("RowKey", prefix);
}

using System.Globalization;
using System.Text.Json;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.MoneyKit;
using MoneyKitBridge.TableStorage;

namespace MoneyKitBridge.Core.Sync;

/// <summary>Maps MoneyKit transactions and accounts to the rows of a link's partition.</summary>
public static class SnapshotRows
{
    public static TableEntity Transaction(string partition, MoneyKitTransaction transaction, DateTimeOffset? refreshMark)
    {
        var entity = new TableEntity(partition, LinkRows.Transaction(transaction.TransactionId))
        {
            ["TransactionId"] = transaction.TransactionId,
            ["AccountId"] = transaction.AccountId,
            ["Date"] = transaction.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Pending"] = transaction.Pending,
            ["Json"] = JsonSerializer.Serialize(transaction, MoneyKitJsonContext.Default.MoneyKitTransaction),
        };
        if (transaction.Datetime is { } at)
        {
            entity["Datetime"] = at;
        }

        if (refreshMark is { } mark)
        {
            entity["RefreshMark"] = mark;
        }

        return entity;
    }

    public static TableEntity Account(string partition, MoneyKitAccount account) =>
        new(partition, LinkRows.Account(account.AccountId))
        {
            ["AccountId"] = account.AccountId,
            ["Json"] = JsonSerializer.Serialize(account, MoneyKitJsonContext.Default.MoneyKitAccount),
        };
}

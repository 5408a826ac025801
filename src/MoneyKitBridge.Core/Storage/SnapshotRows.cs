using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Storage;

/// <summary>A transaction's row in its link's partition (table <c>links</c>): the fields queries filter and sort on, and MoneyKit's JSON.</summary>
public sealed record TransactionRow(string TransactionId, string AccountId, string Date, DateTimeOffset? Datetime, bool Pending, string Json, DateTimeOffset? RefreshMark = null)
{
    /// <summary>The columns a query needs (<c>$select</c>).</summary>
    public static readonly string[] QueryColumns = [nameof(AccountId), nameof(TransactionId), nameof(Date), nameof(Datetime), nameof(Pending), nameof(Json)];

    /// <summary>The column that says which refresh a pending row belongs to.</summary>
    public const string RefreshMarkColumn = nameof(RefreshMark);

    /// <summary>The row of <paramref name="transaction"/>, marked with the refresh it was seen in.</summary>
    public static TransactionRow From(MoneyKitTransaction transaction, DateTimeOffset? refreshMark)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return new(
            transaction.TransactionId,
            transaction.AccountId,
            transaction.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            transaction.Datetime,
            transaction.Pending,
            JsonSerializer.Serialize(transaction, MoneyKitJsonContext.Default.MoneyKitTransaction),
            refreshMark);
    }

    /// <summary>Filter of a link's pending transaction rows.</summary>
    public static string PendingFilter(string partition) =>
        LinkRows.KindFilter(partition, LinkRows.TransactionPrefix) + " and " + TableClient.CreateQueryFilter($"Pending eq {true}");

    public TableEntity ToEntity(string partition) =>
        new TableEntity(partition, LinkRows.Transaction(TransactionId))
            .Put(nameof(TransactionId), TransactionId)
            .Put(nameof(AccountId), AccountId)
            .Put(nameof(Date), Date)
            .Put(nameof(Pending), Pending)
            .Put(nameof(Json), Json)
            .Put(nameof(Datetime), Datetime)
            .Put(nameof(RefreshMark), RefreshMark);

    public static TransactionRow FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new(
            entity.GetString(nameof(TransactionId)) ?? string.Empty,
            entity.GetString(nameof(AccountId)) ?? string.Empty,
            entity.GetString(nameof(Date)) ?? string.Empty,
            entity.GetDateTimeOffset(nameof(Datetime)),
            entity.GetBoolean(nameof(Pending)) ?? false,
            entity.GetString(nameof(Json)) ?? string.Empty,
            entity.GetDateTimeOffset(nameof(RefreshMark)));
    }
}

/// <summary>An account's row in its link's partition (table <c>links</c>).</summary>
public sealed record AccountRow(string AccountId, string Json)
{
    public static AccountRow From(MoneyKitAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return new(account.AccountId, JsonSerializer.Serialize(account, MoneyKitJsonContext.Default.MoneyKitAccount));
    }

    public TableEntity ToEntity(string partition) =>
        new TableEntity(partition, LinkRows.Account(AccountId))
            .Put(nameof(AccountId), AccountId)
            .Put(nameof(Json), Json);

    public static AccountRow FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new(entity.GetString(nameof(AccountId)) ?? string.Empty, entity.GetString(nameof(Json)) ?? string.Empty);
    }
}

/// <summary>One sync run in its link's partition (table <c>links</c>), newest first.</summary>
public sealed record SyncHistoryRow(
    string Trigger,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    int Pages,
    int Created,
    int Updated,
    int Removed,
    int PendingReplaced,
    string Outcome,
    string? Error,
    string? RequestId)
{
    /// <summary>A column every history row has (for key-only scans).</summary>
    public const string OutcomeColumn = nameof(Outcome);

    public TableEntity ToEntity(string partition) =>
        new TableEntity(partition, LinkRows.SyncHistory(EndedAt))
            .Put(nameof(Trigger), Trigger)
            .Put(nameof(StartedAt), StartedAt)
            .Put(nameof(EndedAt), EndedAt)
            .Put(nameof(Pages), Pages)
            .Put(nameof(Created), Created)
            .Put(nameof(Updated), Updated)
            .Put(nameof(Removed), Removed)
            .Put(nameof(PendingReplaced), PendingReplaced)
            .Put(nameof(Outcome), Outcome)
            .Put(nameof(Error), Error)
            .Put(nameof(RequestId), RequestId);

    public static SyncHistoryRow FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new(
            entity.GetString(nameof(Trigger)) ?? string.Empty,
            entity.GetDateTimeOffset(nameof(StartedAt)) ?? default,
            entity.GetDateTimeOffset(nameof(EndedAt)) ?? default,
            entity.GetInt32(nameof(Pages)) ?? 0,
            entity.GetInt32(nameof(Created)) ?? 0,
            entity.GetInt32(nameof(Updated)) ?? 0,
            entity.GetInt32(nameof(Removed)) ?? 0,
            entity.GetInt32(nameof(PendingReplaced)) ?? 0,
            entity.GetString(nameof(Outcome)) ?? string.Empty,
            entity.GetString(nameof(Error)),
            entity.GetString(nameof(RequestId)));
    }
}

/// <summary>A link of a customer user (table <c>userlinks</c>, one partition per user).</summary>
public sealed record UserLinkRow(string UserId, string LinkId)
{
    public const string LinkIdColumn = nameof(LinkId);

    public TableEntity ToEntity() =>
        new TableEntity(LinkRows.UserPartition(UserId), LinkRows.Partition(LinkId)).Put(nameof(LinkId), LinkId);
}

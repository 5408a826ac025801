using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// A transaction's row in its link's partition (table <c>links</c>): the fields queries filter and sort on, MoneyKit's JSON,
/// and the change feed's bookkeeping — <see cref="ChangeSeq"/>, the feed sequence of the sync run that last wrote the row,
/// and <see cref="CreatedSeq"/>, the one that first wrote it. A removed transaction stays as a tombstone
/// (<see cref="Removed"/>, no longer served by reads) so the feed can report the removal, until its retention ends.
/// </summary>
public sealed record TransactionRow(
    string TransactionId,
    string AccountId,
    string Date,
    DateTimeOffset? Datetime,
    bool Pending,
    string Json,
    DateTimeOffset? RefreshMark = null,
    long ChangeSeq = 0,
    long CreatedSeq = 0,
    bool Removed = false)
{
    /// <summary>The columns a query needs (<c>$select</c>).</summary>
    public static readonly string[] QueryColumns = [nameof(AccountId), nameof(TransactionId), nameof(Date), nameof(Datetime), nameof(Pending), nameof(Json), nameof(Removed)];

    /// <summary>The columns the change feed needs (<c>$select</c>).</summary>
    public static readonly string[] FeedColumns = [nameof(TransactionId), nameof(ChangeSeq), nameof(CreatedSeq), nameof(Removed), nameof(Json)];

    /// <summary>The column that says which refresh a pending row belongs to.</summary>
    public const string RefreshMarkColumn = nameof(RefreshMark);

    /// <summary>The column of the account id (transaction and account rows).</summary>
    public const string AccountIdColumn = nameof(AccountId);

    /// <summary>The column of the transaction's MoneyKit id.</summary>
    public const string TransactionIdColumn = nameof(TransactionId);

    /// <summary>The column of the feed sequence that last changed the row.</summary>
    public const string ChangeSeqColumn = nameof(ChangeSeq);

    /// <summary>The column of a tombstone's removal time.</summary>
    public const string RemovedAtColumn = nameof(RemovedAt);

    /// <summary>
    /// Stands for "no time of day" in a merged row: a merge cannot remove a property, so an update that clears
    /// <see cref="Datetime"/> writes this instead; read back as null.
    /// </summary>
    private static readonly DateTimeOffset NoDatetime = DateTimeOffset.UnixEpoch;

    /// <summary>When the tombstone was written (purged after the feed's retention).</summary>
    public DateTimeOffset? RemovedAt { get; init; }

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

    /// <summary>Filter of a link's pending transaction rows of snapshot generation <paramref name="generation"/> (tombstones are never pending).</summary>
    public static string PendingFilter(string partition, long generation = 0) =>
        LinkRows.KindFilter(partition, LinkRows.TransactionPrefixOf(generation)) + " and " + TableClient.CreateQueryFilter($"Pending eq {true}");

    /// <summary>
    /// Filter of a link's transaction rows changed at feed sequence <paramref name="minSequence"/> or later (≥ 1: rows
    /// written before the feed existed have no sequence and never match).
    /// </summary>
    public static string ChangedSinceFilter(string partition, long minSequence, long generation = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minSequence, 1);
        return LinkRows.KindFilter(partition, LinkRows.TransactionPrefixOf(generation)) + " and " + TableClient.CreateQueryFilter($"ChangeSeq ge {minSequence}");
    }

    /// <summary>Filter of a link's tombstones (of snapshot generation <paramref name="generation"/>).</summary>
    public static string TombstoneFilter(string partition, long generation = 0) =>
        LinkRows.KindFilter(partition, LinkRows.TransactionPrefixOf(generation)) + " and " + TableClient.CreateQueryFilter($"Removed eq {true}");

    /// <summary>The full row (for a replace): a transaction new to the bridge at feed sequence <see cref="ChangeSeq"/> (= <see cref="CreatedSeq"/>).</summary>
    public TableEntity ToEntity(string partition, long generation = 0) =>
        new TableEntity(partition, LinkRows.Transaction(TransactionId, generation))
            .Put(nameof(TransactionId), TransactionId)
            .Put(nameof(AccountId), AccountId)
            .Put(nameof(Date), Date)
            .Put(nameof(Pending), Pending)
            .Put(nameof(Json), Json)
            .Put(nameof(Datetime), Datetime)
            .Put(nameof(RefreshMark), RefreshMark)
            .Put(nameof(ChangeSeq), ChangeSeq)
            .Put(nameof(CreatedSeq), CreatedSeq)
            .Put(nameof(Removed), Removed ? true : null)
            .Put(nameof(RemovedAt), RemovedAt);

    /// <summary>
    /// The row as a merge (an update of a transaction the bridge may hold): every served property, but not
    /// <see cref="CreatedSeq"/>, which keeps the sequence the transaction first appeared at.
    /// </summary>
    public TableEntity ToMergeEntity(string partition, long generation = 0) =>
        new TableEntity(partition, LinkRows.Transaction(TransactionId, generation))
            .Put(nameof(TransactionId), TransactionId)
            .Put(nameof(AccountId), AccountId)
            .Put(nameof(Date), Date)
            .Put(nameof(Pending), Pending)
            .Put(nameof(Json), Json)
            .Put(nameof(Datetime), Datetime ?? NoDatetime)
            .Put(nameof(RefreshMark), RefreshMark)
            .Put(nameof(ChangeSeq), ChangeSeq)
            .Put(nameof(Removed), false);

    /// <summary>
    /// The merge that turns the row of <paramref name="transactionId"/> into a tombstone at feed sequence
    /// <paramref name="changeSeq"/> (keeping its <see cref="CreatedSeq"/>); no longer pending, so a pending
    /// replacement never meets it again.
    /// </summary>
    public static TableEntity Tombstone(string partition, string transactionId, long changeSeq, DateTimeOffset removedAt, long generation = 0) =>
        new TableEntity(partition, LinkRows.Transaction(transactionId, generation))
            .Put(nameof(TransactionId), transactionId)
            .Put(nameof(Pending), false)
            .Put(nameof(ChangeSeq), changeSeq)
            .Put(nameof(Removed), true)
            .Put(nameof(RemovedAt), removedAt);

    public static TransactionRow FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var datetime = entity.GetDateTimeOffset(nameof(Datetime));
        return new(
            entity.GetString(nameof(TransactionId)) ?? string.Empty,
            entity.GetString(nameof(AccountId)) ?? string.Empty,
            entity.GetString(nameof(Date)) ?? string.Empty,
            datetime == NoDatetime ? null : datetime,
            entity.GetBoolean(nameof(Pending)) ?? false,
            entity.GetString(nameof(Json)) ?? string.Empty,
            entity.GetDateTimeOffset(nameof(RefreshMark)),
            entity.GetInt64(nameof(ChangeSeq)) ?? 0,
            entity.GetInt64(nameof(CreatedSeq)) ?? 0,
            entity.GetBoolean(nameof(Removed)) ?? false)
        {
            RemovedAt = entity.GetDateTimeOffset(nameof(RemovedAt)),
        };
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

    public TableEntity ToEntity(string partition, long generation = 0) =>
        new TableEntity(partition, LinkRows.Account(AccountId, generation))
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

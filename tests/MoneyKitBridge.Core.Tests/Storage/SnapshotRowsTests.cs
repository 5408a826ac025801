using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Tests.Storage;

public sealed class SnapshotRowsTests
{
    private static readonly TransactionRow Row = new("txn_1", "acc_1", "2026-03-01", null, false, "{\"transaction_id\":\"txn_1\"}", null, ChangeSeq: 4, CreatedSeq: 4);

    [Fact]
    public void A_new_row_carries_its_feed_sequences_and_no_tombstone_mark()
    {
        var entity = Row.ToEntity("p");

        Assert.Equal(4L, entity.GetInt64("ChangeSeq"));
        Assert.Equal(4L, entity.GetInt64("CreatedSeq"));
        Assert.False(entity.ContainsKey("Removed"));
        Assert.Equal(Row, TransactionRow.FromEntity(entity));
    }

    [Fact]
    public void A_merged_update_keeps_the_created_sequence_and_revives_a_tombstone()
    {
        var entity = (Row with { ChangeSeq = 9 }).ToMergeEntity("p");

        Assert.False(entity.ContainsKey("CreatedSeq"));
        Assert.Equal(9L, entity.GetInt64("ChangeSeq"));
        Assert.Equal(false, entity.GetBoolean("Removed"));
    }

    [Fact]
    public void A_merged_update_without_a_time_of_day_reads_back_as_none()
    {
        var entity = Row.ToMergeEntity("p");

        Assert.NotNull(entity.GetDateTimeOffset("Datetime")); // a merge cannot remove the property
        Assert.Null(TransactionRow.FromEntity(entity).Datetime);
    }

    [Fact]
    public void A_tombstone_names_its_transaction_is_never_pending_and_keeps_the_created_sequence()
    {
        var removedAt = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

        var entity = TransactionRow.Tombstone("p", "txn_1", 7, removedAt);

        var row = TransactionRow.FromEntity(entity);
        Assert.Equal(LinkRows.Transaction("txn_1"), entity.RowKey);
        Assert.Equal(("txn_1", 7L, true, false, removedAt), (row.TransactionId, row.ChangeSeq, row.Removed, row.Pending, row.RemovedAt!.Value));
        Assert.False(entity.ContainsKey("CreatedSeq"));
        Assert.False(entity.ContainsKey("Json"));
    }
}

using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Tests.Storage;

/// <summary>Snapshot generations: each one's accounts and transactions are their own key ranges of the link's partition.</summary>
public sealed class LinkRowsTests(AzuriteTable fixture) : IClassFixture<AzuriteTable>
{
    [Fact]
    public void Generation_zero_keeps_the_original_prefixes()
    {
        Assert.Equal(LinkRows.TransactionPrefix, LinkRows.TransactionPrefixOf(0));
        Assert.Equal(LinkRows.AccountPrefix, LinkRows.AccountPrefixOf(0));
        Assert.Equal(LinkRows.Transaction("txn_1"), LinkRows.Transaction("txn_1", 0));
        Assert.Equal("tx12_txn_1", LinkRows.Transaction("txn_1", 12));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinkRows.TransactionPrefixOf(-1));
    }

    [Fact]
    public async Task A_scan_of_one_generation_reads_none_of_another_generations_rows()
    {
        var pk = AzuriteTable.NewPartition();
        long[] generations = [0, 1, 2, 10, 11, 12, 100];
        foreach (var generation in generations)
        {
            var actions = Enumerable.Range(0, 20)
                .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, LinkRows.Transaction("txn_" + i, generation)) { ["G"] = generation }))
                .Append(new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, LinkRows.Account("acc_1", generation)) { ["G"] = generation }));
            await fixture.Table.SubmitCheckedAsync(actions);
        }

        foreach (var generation in generations)
        {
            var transactions = await RangeScan.ReadAsync(fixture.Table, pk, LinkRows.TransactionPrefixOf(generation), ["G"], e => e.GetInt64("G"), CancellationToken.None);
            var accounts = new List<long?>();
            await foreach (var row in fixture.Table.QueryAsync<TableEntity>(LinkRows.KindFilter(pk, LinkRows.AccountPrefixOf(generation))))
            {
                accounts.Add(row.GetInt64("G"));
            }

            Assert.Equal(20, transactions.Count);
            Assert.All(transactions, g => Assert.Equal(generation, g));
            Assert.Equal([generation], accounts);
        }
    }
}

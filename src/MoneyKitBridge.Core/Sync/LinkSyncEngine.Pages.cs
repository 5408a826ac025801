using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Sync;

/// <summary>How one page of <c>transactions/sync</c> becomes rows of one generation of the link's snapshot.</summary>
public sealed partial class LinkSyncEngine
{
    /// <summary>
    /// Writes <paramref name="page"/>'s rows into snapshot generation <paramref name="generation"/> at feed sequence
    /// <paramref name="seq"/>: created rows are inserted (Table Storage's cheapest write; a batch that meets a row already
    /// there — a page replayed after a crash — is written again as upserts), updated rows merged (keeping the sequence
    /// they were created at), removed ones become tombstones (merged, so batched: a merge of an absent row does not fail
    /// the batch as a delete would). The page's accounts are written when they changed within the run. Commits nothing:
    /// the caller commits progress after the data.
    /// </summary>
    private async Task ApplyPageAsync(
        MoneyKitTransactionSyncResponse page, string partition, long generation, long seq, DateTimeOffset? refreshedAt, PageProgress progress, CancellationToken cancellationToken)
    {
        progress.Pages++;
        var adds = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        var upserts = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        foreach (var t in page.Transactions.Created)
        {
            adds[t.TransactionId] = (TransactionRow.From(t, refreshedAt) with { ChangeSeq = seq, CreatedSeq = seq }).ToEntity(partition, generation);
        }

        foreach (var t in page.Transactions.Updated)
        {
            adds.Remove(t.TransactionId);
            upserts[t.TransactionId] = (TransactionRow.From(t, refreshedAt) with { ChangeSeq = seq }).ToMergeEntity(partition, generation);
        }

        var deletes = page.Transactions.Removed.Where(id => !adds.ContainsKey(id) && !upserts.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToList();
        progress.Created += page.Transactions.Created.Count;
        progress.Updated += page.Transactions.Updated.Count;
        progress.Removed += deletes.Count;

        var removedAt = time.GetUtcNow();
        await WriteBatchesAsync(
            adds.Values.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e))
                .Concat(upserts.Values.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertMerge, e)))
                .Concat(deletes.Select(id => new TableTransactionAction(TableTransactionActionType.UpsertMerge, TransactionRow.Tombstone(partition, id, seq, removedAt, generation)))),
            cancellationToken);
        await ReachedAsync(SyncCheckpoint.DeletesApplied);

        // Every page carries the link's accounts; within a run they are written again only when they changed.
        if (page.Accounts is { Count: > 0 } accounts)
        {
            var rows = accounts.Select(AccountRow.From).ToList();
            if (progress.AccountsWritten is null || !rows.SequenceEqual(progress.AccountsWritten))
            {
                await WriteBatchesAsync(rows.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, a.ToEntity(partition, generation))), cancellationToken);
                progress.AccountsWritten = rows;
                await ReachedAsync(SyncCheckpoint.AccountsWritten);
            }

            progress.AccountsSeen = true;
        }
    }

    /// <summary>What one run has written so far (for its outcome, and to skip writing unchanged accounts again).</summary>
    private sealed class PageProgress
    {
        public int Pages { get; set; }

        public int Created { get; set; }

        public int Updated { get; set; }

        public int Removed { get; set; }

        public bool AccountsSeen { get; set; }

        public List<AccountRow>? AccountsWritten { get; set; }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using MoneyKitBridge.Core.Storage;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Queries;

/// <summary>
/// Serves link snapshots. The partition is loaded only when the snapshot version moved since this process last
/// loaded it (snapshots are cached by version, so they need no invalidation); the version itself comes from
/// <see cref="LinkStateStore.GetRecentAsync"/> (a copy at most <see cref="LinkStateOptions.MaxAge"/> old).
/// </summary>
public sealed class LinkSnapshotReader(BridgeTables tables, LinkStateStore states)
{
    private const int MaxCachedLinks = 2_000;

    private static readonly string[] Columns = ["RowKey", .. TransactionRow.QueryColumns];
    private readonly ConcurrentDictionary<string, LinkSnapshot> cache = new(StringComparer.Ordinal);

    /// <summary>The link's state row only (no data).</summary>
    public Task<LinkState?> GetStateAsync(string linkId, CancellationToken cancellationToken = default) =>
        states.GetRecentAsync(linkId, cancellationToken);

    /// <summary>The link's current snapshot, or null when the bridge does not know the link.</summary>
    public async Task<LinkSnapshot?> GetAsync(string linkId, CancellationToken cancellationToken = default)
    {
        var state = await GetStateAsync(linkId, cancellationToken);
        if (state is null)
        {
            cache.TryRemove(linkId, out _);
            return null;
        }

        return await GetAsync(state, cancellationToken);
    }

    /// <summary>The snapshot at the version of a state row the caller has just read (no second read of the row).</summary>
    public async Task<LinkSnapshot> GetAsync(LinkState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var linkId = state.LinkId;
        if (cache.TryGetValue(linkId, out var cached) && cached.State.Version == state.Version && cached.State.DeletedAt == state.DeletedAt)
        {
            return cached with { State = state };
        }

        var snapshot = await LoadAsync(state, cancellationToken);
        if (cache.Count >= MaxCachedLinks)
        {
            cache.Clear();
        }

        cache[linkId] = snapshot;
        return snapshot;
    }

    private async Task<LinkSnapshot> LoadAsync(LinkState state, CancellationToken cancellationToken)
    {
        var partition = LinkRows.Partition(state.LinkId);
        var accounts = new List<StoredAccount>();
        var transactions = new List<StoredTransaction>();
        // One scan of the partition (the service has no secondary index: a second range query would scan again),
        // each next page already requested while this one is mapped.
        await foreach (var page in tables.Links.QueryAsync<TableEntity>(TableKeys.PartitionFilter(partition), select: Columns, cancellationToken: cancellationToken).PagesWithReadAheadAsync(cancellationToken))
        {
            foreach (var row in page.Values)
            {
                Map(row, accounts, transactions);
            }
        }

        transactions.Sort(LinkSnapshot.CompareNewestFirst);
        accounts.Sort((a, b) => string.CompareOrdinal(a.AccountId, b.AccountId));
        return new LinkSnapshot(state, accounts, transactions);
    }

    /// <summary>
    /// Reads and maps one stored row (of any link) the way a snapshot load does (one row: a full page of 1,000 measured
    /// no better and would cost every start a large read), so that a new instance's first query
    /// does not also pay for preparing that path: ReadyToRun leaves the SDK's generic query and deserialization code
    /// to the JIT (see StartupWarmUp in the app).
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken = default)
    {
        var accounts = new List<StoredAccount>();
        var transactions = new List<StoredTransaction>();
        await foreach (var page in tables.Links.QueryAsync<TableEntity>(maxPerPage: 1, select: Columns, cancellationToken: cancellationToken).PagesWithReadAheadAsync(cancellationToken))
        {
            foreach (var row in page.Values)
            {
                Map(row, accounts, transactions);
            }

            break;
        }
    }

    private static void Map(TableEntity row, List<StoredAccount> accounts, List<StoredTransaction> transactions)
    {
        if (row.RowKey.StartsWith(LinkRows.TransactionPrefix, StringComparison.Ordinal))
        {
            var t = TransactionRow.FromEntity(row);
            if (t.Removed)
            {
                return; // a tombstone kept for the change feed
            }

            transactions.Add(new StoredTransaction(
                t.TransactionId,
                t.AccountId,
                DateOnly.ParseExact(t.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                t.Datetime,
                t.Pending,
                t.Json));
        }
        else if (row.RowKey.StartsWith(LinkRows.AccountPrefix, StringComparison.Ordinal))
        {
            var a = AccountRow.FromEntity(row);
            accounts.Add(new StoredAccount(a.AccountId, a.Json));
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Telemetry;
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
            BridgeTelemetry.SnapshotLookup(hit: true);
            return cached with { State = state };
        }

        BridgeTelemetry.SnapshotLookup(hit: false);
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
        // The link's accounts and transactions only (not its events or sync history), the transactions as a few key
        // ranges read at once; the service has no secondary index, so no other query shape reads less. Only the serving
        // generation's key ranges: a generation a resync is building beside it is never read.
        var accounts = ReadAccountsAsync(tables, partition, state.Generation, Columns, cancellationToken);
        var rows = await RangeScan.ReadAsync(tables.Links, partition, LinkRows.TransactionPrefixOf(state.Generation), Columns, ToStoredTransaction, cancellationToken);
        var transactions = rows.OfType<StoredTransaction>().ToList();
        transactions.Sort(LinkSnapshot.CompareNewestFirst);
        return new LinkSnapshot(state, await accounts, transactions);
    }

    /// <summary>The link's stored accounts of snapshot generation <paramref name="generation"/>, ordered by id (<paramref name="columns"/> must include the account row's).</summary>
    internal static async Task<List<StoredAccount>> ReadAccountsAsync(BridgeTables tables, string partition, long generation, IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        var accounts = new List<StoredAccount>();
        await foreach (var row in tables.Links.QueryAsync<TableEntity>(LinkRows.KindFilter(partition, LinkRows.AccountPrefixOf(generation)), select: columns, cancellationToken: cancellationToken))
        {
            var a = AccountRow.FromEntity(row);
            accounts.Add(new StoredAccount(a.AccountId, a.Json));
        }

        accounts.Sort((a, b) => string.CompareOrdinal(a.AccountId, b.AccountId));
        return accounts;
    }

    /// <summary>
    /// Reads and maps one stored row (of any link) the way a snapshot load does (one row: a full page of 1,000 measured
    /// no better and would cost every start a large read), so that a new instance's first query
    /// does not also pay for preparing that path: ReadyToRun leaves the SDK's generic query and deserialization code
    /// to the JIT (see StartupWarmUp in the app).
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var page in tables.Links.QueryAsync<TableEntity>(maxPerPage: 1, select: Columns, cancellationToken: cancellationToken).AsPages().WithCancellation(cancellationToken))
        {
            if (page.Values is [var row, ..] && row.RowKey.StartsWith("tx", StringComparison.Ordinal))
            {
                GC.KeepAlive(ToStoredTransaction(row));
            }

            break;
        }
    }

    /// <summary>The stored transaction of a row, or null for a tombstone (kept for the change feed, never read as data).</summary>
    private static StoredTransaction? ToStoredTransaction(TableEntity row)
    {
        var t = TransactionRow.FromEntity(row);
        return t.Removed ? null : new StoredTransaction(
            t.TransactionId,
            t.AccountId,
            DateOnly.ParseExact(t.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            t.Datetime,
            t.Pending,
            t.Json);
    }
}

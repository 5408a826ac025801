using System.Collections.Concurrent;
using System.Globalization;
using MoneyKitBridge.Core.Storage;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Queries;

/// <summary>
/// Serves link snapshots. The partition is loaded only when the snapshot version moved since this process last
/// loaded it; the version itself comes from a point read of the state row, which is reused for at most
/// <c>stateFreshness</c> (default 1 s; zero reads every time). Writes made in this process are seen at once (they
/// invalidate), writes made by other instances within the window.
/// </summary>
public sealed class LinkSnapshotReader(BridgeTables tables, TimeProvider? time = null, TimeSpan? stateFreshness = null)
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly long freshnessTicks = (long)((stateFreshness ?? (time is null ? TimeSpan.Zero : TimeSpan.FromSeconds(1))).TotalSeconds * (time ?? TimeProvider.System).TimestampFrequency);

    private const int MaxCachedLinks = 2_000;
    private static readonly string[] Columns = ["RowKey", .. TransactionRow.QueryColumns];
    private readonly ConcurrentDictionary<string, LinkSnapshot> cache = new(StringComparer.Ordinal);
    private readonly LinkStateStore states = new(tables);

    /// <summary>The link's state row only (no data).</summary>
    public async Task<LinkState?> GetStateAsync(string linkId, CancellationToken cancellationToken = default)
    {
        if (freshnessTicks <= 0)
        {
            return await states.GetAsync(linkId, cancellationToken);
        }

        var now = clock.GetTimestamp();
        if (tables.StateCache.TryGet(linkId, now, freshnessTicks, out var cached))
        {
            return cached;
        }

        var state = await states.GetAsync(linkId, cancellationToken);
        tables.StateCache.Set(linkId, state, now);
        return state;
    }

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
                if (row.RowKey.StartsWith(LinkRows.TransactionPrefix, StringComparison.Ordinal))
                {
                    var t = TransactionRow.FromEntity(row);
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

        transactions.Sort(LinkSnapshot.CompareNewestFirst);
        accounts.Sort((a, b) => string.CompareOrdinal(a.AccountId, b.AccountId));
        return new LinkSnapshot(state, accounts, transactions);
    }
}

using System.Collections.Concurrent;
using MoneyKitBridge.Core.Storage;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Queries;

/// <summary>
/// The bridge's own change feed of a link's transactions (MoneyKit's <c>transactions/sync</c> contract over the
/// snapshot). Every transaction row carries the feed sequence that last wrote it, removed ones stay as tombstones, and
/// the feed serves the rows up to the link's committed <see cref="LinkState.FeedSequence"/> ordered by
/// (sequence, transaction id): a row being written by a sync that has not committed is never served, and a row a sync
/// rewrites is served again at its new sequence, so a consumer following the cursors misses and repeats nothing.
/// The ordered changes are loaded with one query per snapshot version and kept in this process (cached by version, so
/// they need no invalidation): the whole partition for a consumer at the start, only the rows changed since its
/// cursor's sequence for a consumer further on (the service filters them; a view serves every consumer at or after
/// the sequence it was loaded from). The cursor alone carries the consumer's position. Only the serving snapshot
/// generation is read; a full resync's switch sets the feed horizon past every sequence of the old generation, so its
/// cursors answer <see cref="ChangeFeedStatus.CursorExpired"/> (start over) rather than skip or repeat a change.
/// </summary>
public sealed class LinkChangeFeed(BridgeTables tables, LinkStateStore states)
{
    /// <summary>Changes per page MoneyKit allows (<c>size</c>).</summary>
    public const int MaxPageSize = 500;

    /// <summary>Changes per page when <c>size</c> is not given (MoneyKit's default).</summary>
    public const int DefaultPageSize = 50;

    private const int MaxCachedLinks = 500;

    private static readonly string[] Columns = ["RowKey", TransactionRow.AccountIdColumn, .. TransactionRow.FeedColumns];
    private readonly ConcurrentDictionary<string, FeedView> cache = new(StringComparer.Ordinal);

    /// <summary>
    /// The page after <paramref name="from"/> of the link whose state row the caller has just read (readable: known,
    /// not deleted, transactions granted), at most <paramref name="size"/> changes.
    /// </summary>
    public async Task<ChangePage> ReadAsync(LinkState state, FeedPosition from, int size, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (from.Sequence > state.FeedSequence)
        {
            // The copy of the state row may be older than the one the cursor was issued from (another instance).
            state = await states.GetAsync(state.LinkId, cancellationToken) ?? state;
            if (from.Sequence > state.FeedSequence)
            {
                return ChangePage.Refused(ChangeFeedStatus.CursorUnknown, from);
            }
        }

        if (from.IsOlderThan(state.FeedHorizon))
        {
            return ChangePage.Refused(ChangeFeedStatus.CursorExpired, from);
        }

        var view = await GetViewAsync(state, from, cancellationToken);
        return view.Read(from, size);
    }

    private async Task<FeedView> GetViewAsync(LinkState state, FeedPosition from, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(state.LinkId, out var cached) && cached.Version >= state.Version && cached.FeedSequence >= state.FeedSequence && cached.Serves(from))
        {
            return cached;
        }

        var view = await LoadAsync(state, from.Sequence >= 1 ? from.Sequence : FeedView.Everything, cancellationToken);
        if (cache.Count >= MaxCachedLinks)
        {
            cache.Clear();
        }

        cache[state.LinkId] = view;
        return view;
    }

    private async Task<FeedView> LoadAsync(LinkState state, long minSequence, CancellationToken cancellationToken)
    {
        var partition = LinkRows.Partition(state.LinkId);
        var accounts = LinkSnapshotReader.ReadAccountsAsync(tables, partition, state.Generation, Columns, cancellationToken);
        List<TransactionRow> rows;
        if (minSequence == FeedView.Everything)
        {
            rows = await RangeScan.ReadAsync(tables.Links, partition, LinkRows.TransactionPrefixOf(state.Generation), Columns, TransactionRow.FromEntity, cancellationToken);
        }
        else
        {
            rows = [];
            // The accounts come from their own query above; this one reads only the transaction rows changed since.
            await foreach (var row in tables.Links.QueryAsync<TableEntity>(TransactionRow.ChangedSinceFilter(partition, minSequence, state.Generation), select: Columns, cancellationToken: cancellationToken))
            {
                rows.Add(TransactionRow.FromEntity(row));
            }
        }

        var changes = rows
            .Where(t => t.ChangeSeq <= state.FeedSequence && t.ChangeSeq >= minSequence)
            .Select(t => new FeedChange(t.ChangeSeq, t.TransactionId, t.CreatedSeq, t.Removed, t.Removed ? string.Empty : t.Json))
            .ToList();
        changes.Sort(FeedView.Compare);
        return new FeedView(state.Version, state.FeedSequence, minSequence, [.. changes], await accounts);
    }
}

using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// The one owner of link state rows in this process (a singleton): reads them, caches them and writes them with
/// optimistic concurrency (every write is ETag-guarded). Three ways to read, by how stale the caller may be:
/// <list type="bullet">
/// <item><see cref="GetAsync"/> always reads the row (claims, read-modify-write);</item>
/// <item><see cref="GetRecentAsync"/> accepts a copy up to <see cref="LinkStateOptions.MaxAge"/> old (queries);</item>
/// <item><see cref="GetLastKnownAsync"/> accepts any cached copy, for a caller whose write is conditional on the
/// copy's ETag and re-reads on a conflict (webhook state changes: a steady stream costs one request per event).</item>
/// </list>
/// Every write in this process drops the link's copy before and after it, and a read that overlapped a write of the
/// link (or of a link sharing its stripe) is not cached, so only writes of other instances are seen late, by at most
/// the reader's window.
/// </summary>
public sealed class LinkStateStore
{
    private readonly BridgeTables tables;
    private readonly TimeProvider time;
    private readonly long maxAgeTicks;
    private readonly LinkStateCache cache = new();
    private const int WriteStripes = 256;
    private readonly long[] writes = new long[WriteStripes]; // per stripe of links: bumped at the start and end of every write

    public LinkStateStore(BridgeTables tables, TimeProvider time, IOptions<LinkStateOptions> options)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        this.tables = tables;
        this.time = time;
        maxAgeTicks = (long)(options.Value.MaxAge.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>Reads the row (null when the link is unknown) and keeps it as this process's copy.</summary>
    public async Task<LinkState?> GetAsync(string linkId, CancellationToken cancellationToken = default)
    {
        var stripe = StripeOf(linkId);
        var writesBefore = Volatile.Read(ref writes[stripe]);
        var takenAt = time.GetTimestamp();
        var response = await tables.States.GetEntityIfExistsAsync<TableEntity>(LinkRows.Partition(linkId), LinkRows.StateRow, cancellationToken: cancellationToken);
        var state = response.HasValue ? LinkState.FromEntity(response.Value!) : null;
        if (Volatile.Read(ref writes[stripe]) == writesBefore)
        {
            cache.Set(linkId, state, takenAt);
        }

        return state;
    }

    /// <summary>This process's copy when it is at most <see cref="LinkStateOptions.MaxAge"/> old, else the row.</summary>
    public async Task<LinkState?> GetRecentAsync(string linkId, CancellationToken cancellationToken = default)
    {
        if (maxAgeTicks > 0 && cache.TryGet(linkId, out var state, out var takenAt) && time.GetTimestamp() - takenAt < maxAgeTicks)
        {
            return state;
        }

        return await GetAsync(linkId, cancellationToken);
    }

    /// <summary>
    /// This process's copy of any age, else the row. Only for a caller whose write is conditional on the copy's ETag
    /// (an outdated copy costs a conflict and a re-read, never a lost update).
    /// </summary>
    public async Task<LinkState?> GetLastKnownAsync(string linkId, CancellationToken cancellationToken = default) =>
        cache.TryGet(linkId, out var state, out _) && state is not null ? state : await GetAsync(linkId, cancellationToken);

    /// <summary>Creates the row; false when it already exists.</summary>
    public async Task<bool> TryCreateAsync(LinkState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        BeginWrite(state.LinkId);
        try
        {
            await tables.States.AddCheckedAsync(state.ToEntity(), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
        finally
        {
            _ = EndWrite(state.LinkId);
        }
    }

    /// <summary>Replaces the row if it is unchanged since <paramref name="state"/> was read; null on a conflict.</summary>
    public async Task<LinkState?> TryReplaceAsync(LinkState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        BeginWrite(state.LinkId);
        try
        {
            var etag = await tables.States.UpdateCheckedAsync(state.ToEntity(), state.ETag == default ? ETag.All : state.ETag, TableUpdateMode.Replace, cancellationToken);
            return state with { ETag = etag };
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return null;
        }
        finally
        {
            _ = EndWrite(state.LinkId);
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current row until it sticks (re-reading on every conflict).
    /// Returns the stored state, or null when the link does not exist or <paramref name="change"/> returns null.
    /// </summary>
    public async Task<LinkState?> UpdateAsync(string linkId, Func<LinkState, LinkState?> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var current = await GetAsync(linkId, cancellationToken);
            if (current is null)
            {
                return null;
            }

            var next = change(current);
            if (next is null)
            {
                return null;
            }

            if (next == current)
            {
                return current;
            }

            var stored = await TryReplaceAsync(next with { ETag = current.ETag }, cancellationToken);
            if (stored is not null)
            {
                return stored;
            }
        }

        throw new InvalidOperationException($"The state of link {linkId} kept changing; giving up after 50 attempts.");
    }

    /// <summary>
    /// Commits <paramref name="actions"/> (rows of the link's <c>linkstates</c> partition; when <paramref name="next"/>
    /// is set, the last action writes it, conditional on the ETag it was derived from) as one entity group
    /// transaction, or as a single insert or update when there is one action (a 412 is then a plain
    /// <see cref="RequestFailedException"/>). Returns the last action's new ETag; on success
    /// <paramref name="next"/> with that ETag becomes this process's copy. Exceptions are the service's.
    /// </summary>
    public async Task<ETag> SubmitAsync(string linkId, IReadOnlyList<TableTransactionAction> actions, LinkState? next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        BeginWrite(linkId);
        ETag etag;
        long writesAfter;
        try
        {
            etag = actions is [{ ActionType: TableTransactionActionType.Add } add] ? await tables.States.AddCheckedAsync((TableEntity)add.Entity, cancellationToken)
                : actions is [{ ActionType: TableTransactionActionType.UpdateMerge or TableTransactionActionType.UpdateReplace } update]
                    ? await tables.States.UpdateCheckedAsync((TableEntity)update.Entity, update.ETag, update.ActionType == TableTransactionActionType.UpdateMerge ? TableUpdateMode.Merge : TableUpdateMode.Replace, cancellationToken)
                : (await tables.States.SubmitCheckedAsync(actions, cancellationToken))[^1].Headers.ETag ?? default;
        }
        finally
        {
            writesAfter = EndWrite(linkId);
        }

        if (next is not null && Volatile.Read(ref writes[StripeOf(linkId)]) == writesAfter)
        {
            cache.Set(linkId, next with { ETag = etag }, time.GetTimestamp()); // unless a later write of this process may have changed it
        }

        return etag;
    }

    private static int StripeOf(string linkId) => (int)((uint)StringComparer.Ordinal.GetHashCode(linkId) % WriteStripes);

    private void BeginWrite(string linkId)
    {
        Interlocked.Increment(ref writes[StripeOf(linkId)]);
        cache.Invalidate(linkId);
    }

    /// <summary>Drops the copy again: a read that overlapped the write may have cached the row as it was.</summary>
    private long EndWrite(string linkId)
    {
        var stamp = Interlocked.Increment(ref writes[StripeOf(linkId)]);
        cache.Invalidate(linkId);
        return stamp;
    }
}

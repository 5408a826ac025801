using Azure;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>Reads and writes link state rows with optimistic concurrency (every write is ETag-guarded).</summary>
public sealed class LinkStateStore(BridgeTables tables)
{
    public async Task<LinkState?> GetAsync(string linkId, CancellationToken cancellationToken = default)
    {
        var response = await tables.States.GetEntityIfExistsAsync<TableEntity>(LinkRows.Partition(linkId), LinkRows.StateRow, cancellationToken: cancellationToken);
        return response.HasValue ? LinkState.FromEntity(response.Value!) : null;
    }

    /// <summary>Creates the row; false when it already exists.</summary>
    public async Task<bool> TryCreateAsync(LinkState state, CancellationToken cancellationToken = default)
    {
        tables.StateCache.Invalidate(state.LinkId);
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
            tables.StateCache.Invalidate(state.LinkId); // also drop a copy a concurrent reader cached mid-write
        }
    }

    /// <summary>Replaces the row if it is unchanged since <paramref name="state"/> was read; null on a conflict.</summary>
    public async Task<LinkState?> TryReplaceAsync(LinkState state, CancellationToken cancellationToken = default)
    {
        tables.StateCache.Invalidate(state.LinkId);
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
            tables.StateCache.Invalidate(state.LinkId); // also drop a copy a concurrent reader cached mid-write
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current row until it sticks (re-reading on every conflict).
    /// Returns the stored state, or null when the link does not exist or <paramref name="change"/> returns null.
    /// </summary>
    public async Task<LinkState?> UpdateAsync(string linkId, Func<LinkState, LinkState?> change, CancellationToken cancellationToken = default)
    {
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
}

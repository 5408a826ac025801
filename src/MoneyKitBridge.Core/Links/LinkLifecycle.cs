using Azure;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.MoneyKit;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Links;

/// <summary>
/// Link lifecycle on the bridge's side: registering a link after token exchange (state row, user index,
/// refresh index), disconnecting (MoneyKit delete, purge of the partition, tombstone) and MoneyKit state changes
/// (applied only when newer than what is stored).
/// </summary>
public sealed class LinkLifecycle(BridgeTables tables, LinkStateStore states, MoneyKitClient moneyKit, TimeProvider time, ILogger<LinkLifecycle> logger)
{

    /// <summary>
    /// Stores a newly exchanged link for its owner. Idempotent: a known link (a reconnect) keeps its data and owner and
    /// takes the exchanged link object, MoneyKit's newest word on its state.
    /// </summary>
    public async Task<LinkState> RegisterAsync(MoneyKitLink link, string? ownerUserId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(link);
        var state = new LinkState
        {
            LinkId = link.LinkId,
            OwnerUserId = ownerUserId,
            State = link.State,
            ErrorCode = link.ErrorCode,
            LinkJson = LinkState.SerializeLink(link),
            CreatedAt = time.GetUtcNow(),
        };
        var stored = await states.TryCreateAsync(state, cancellationToken)
            ? await states.GetAsync(link.LinkId, cancellationToken) ?? state
            : await states.UpdateAsync(link.LinkId, current => AfterExchange(current, link), cancellationToken) ?? await states.GetAsync(link.LinkId, cancellationToken) ?? state;
        if ((stored.OwnerUserId ?? ownerUserId) is { } owner)
        {
            await tables.UserLinks.UpsertCheckedAsync(new UserLinkRow(owner, link.LinkId).ToEntity(), TableUpdateMode.Replace, cancellationToken);
        }

        await LinkIndex.UpsertFromStateAsync(tables, stored, cancellationToken);
        return stored;
    }

    /// <summary>A known link's row after a token exchange returned <paramref name="link"/>; null for a tombstone (nothing resumes it).</summary>
    private static LinkState? AfterExchange(LinkState current, MoneyKitLink link)
    {
        var json = LinkState.SerializeLink(link);
        if (current.DeletedAt is not null || (current.LinkJson == json && current.State == link.State && current.ErrorCode == link.ErrorCode))
        {
            return current.DeletedAt is null ? current : null;
        }

        var stateChanged = current.State != link.State || current.ErrorCode != link.ErrorCode;
        return current with
        {
            LinkJson = json,
            State = link.State,
            ErrorCode = link.ErrorCode,
            SyncBlockedBy = stateChanged ? null : current.SyncBlockedBy,
            Version = current.Version + 1,
        };
    }

    /// <summary>The link ids of a customer user.</summary>
    public async Task<IReadOnlyList<string>> GetUserLinkIdsAsync(string userId, CancellationToken cancellationToken = default)
    {
        var ids = new List<string>();
        await foreach (var row in tables.UserLinks.QueryAsync<TableEntity>(TableKeys.PartitionFilter(LinkRows.UserPartition(userId)), select: [UserLinkRow.LinkIdColumn], cancellationToken: cancellationToken))
        {
            if (row.GetString(UserLinkRow.LinkIdColumn) is { } id)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>
    /// Disconnects: deletes the link at MoneyKit (404/410 mean already gone), then purges the stored data and
    /// keeps a tombstone so reads answer 410. Returns false when the bridge does not know the link.
    /// </summary>
    public async Task<bool> DeleteAsync(string linkId, CancellationToken cancellationToken = default)
    {
        var state = await states.GetAsync(linkId, cancellationToken);
        if (state is null)
        {
            return false;
        }

        if (state.DeletedAt is null)
        {
            try
            {
                await moneyKit.DeleteLinkAsync(linkId, cancellationToken);
            }
            catch (MoneyKitException e) when (e.Status is 404 or 410)
            {
                logger.LogInformation("Link {LinkId} was already gone at MoneyKit ({Status})", linkId, e.Status);
            }
        }

        await MarkDeletedAndPurgeAsync(linkId, cancellationToken);
        return true;
    }

    /// <summary>
    /// Applies a MoneyKit link state change seen at <paramref name="changedAt"/> unless a newer one was applied.
    /// Returns false when it was older (ignored) or the link is unknown.
    /// </summary>
    public async Task<bool> ApplyStateChangeAsync(string linkId, string state, string? errorCode, DateTimeOffset changedAt, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        LinkState? before = null;
        var stored = await states.UpdateAsync(
            linkId,
            current =>
            {
                before = current;
                return AfterStateChange(current, state, errorCode, changedAt, now);
            },
            cancellationToken);

        if (stored is null || before is null)
        {
            return false;
        }

        await AfterStateStoredAsync(before, stored, cancellationToken);
        return true;
    }

    /// <summary>
    /// The state row after MoneyKit reported <paramref name="state"/> at <paramref name="changedAt"/>, or null when a
    /// change at least as new was already applied or the link is deleted. A <c>deleted</c> state is a tombstone at once.
    /// </summary>
    public static LinkState? AfterStateChange(LinkState current, string state, string? errorCode, DateTimeOffset changedAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (current.DeletedAt is not null || (current.StateChangedAt is { } seen && seen >= changedAt))
        {
            return null;
        }

        var changed = current.State != state || current.ErrorCode != errorCode;
        var next = current with
        {
            State = state,
            ErrorCode = state == MoneyKitLinkStates.Error ? errorCode : null,
            StateChangedAt = changedAt,
            SyncBlockedBy = changed ? null : current.SyncBlockedBy,
            Version = current.Version + 1,
        };
        return state == MoneyKitLinkStates.Deleted ? Tombstone(next, now) : next;
    }

    /// <summary>The state row of a deleted link: reads answer 410, syncs stop, nothing resumes it.</summary>
    private static LinkState Tombstone(LinkState current, DateTimeOffset now) => current with
    {
        State = MoneyKitLinkStates.Deleted,
        DeletedAt = current.DeletedAt ?? now,
        Cursor = null,
        LeaseOwner = null,
        LeaseUntil = null,
        SyncRequested = false,
    };

    /// <summary>
    /// What follows a stored state change: a deletion purges the link's data (idempotent); otherwise the refresh
    /// index is updated when its fields (state, sync block) moved.
    /// </summary>
    public async Task AfterStateStoredAsync(LinkState before, LinkState stored, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.DeletedAt is not null)
        {
            await PurgeAsync(stored, cancellationToken); // the stored row is the tombstone already
        }
        else if (stored.State != before.State || stored.SyncBlockedBy != before.SyncBlockedBy)
        {
            await LinkIndex.UpsertFromStateAsync(tables, stored, cancellationToken);
        }
    }

    private async Task MarkDeletedAndPurgeAsync(string linkId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var tombstone = await states.UpdateAsync(linkId, current => Tombstone(current, now) with { Version = current.Version + 1 }, cancellationToken);
        if (tombstone is not null)
        {
            await PurgeAsync(tombstone, cancellationToken);
        }
    }

    /// <summary>Deletes a tombstoned link's accounts and transactions (sync history stays), its user index row and refreshes its index row. Idempotent.</summary>
    private async Task PurgeAsync(LinkState tombstone, CancellationToken cancellationToken)
    {
        var linkId = tombstone.LinkId;
        var partition = LinkRows.Partition(linkId);
        var rows = new List<string>();
        await foreach (var row in tables.Links.QueryAsync<TableEntity>(TableKeys.PartitionFilter(partition), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (!row.RowKey.StartsWith(LinkRows.SyncHistoryPrefix, StringComparison.Ordinal))
            {
                rows.Add(row.RowKey);
            }
        }

        foreach (var chunk in rows.Chunk(100))
        {
            try
            {
                await tables.Links.SubmitCheckedAsync(chunk.Select(rk => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, rk), ETag.All)), cancellationToken);
            }
            catch (TableTransactionFailedException)
            {
                foreach (var rk in chunk)
                {
                    await tables.Links.DeleteEntityAsync(partition, rk, ETag.All, cancellationToken);
                }
            }
        }

        if (tombstone.OwnerUserId is { } owner)
        {
            await tables.UserLinks.DeleteEntityAsync(LinkRows.UserPartition(owner), LinkRows.Partition(linkId), ETag.All, cancellationToken);
        }

        await LinkIndex.UpsertFromStateAsync(tables, tombstone, cancellationToken);
        logger.LogInformation("Link {LinkId} deleted: {Rows} rows purged, tombstone kept", linkId, rows.Count);
    }
}

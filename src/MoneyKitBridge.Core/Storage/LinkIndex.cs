using Azure;
using MoneyKitBridge.TableStorage;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// One small row per link in the <c>linkindex</c> table (single partition) so the refresh planner finds due links
/// with one filtered query instead of reading every link's data: state, last transactions refresh, the earliest
/// time the next refresh is allowed, and whether a requested refresh has not been synced yet.
/// </summary>
public static class LinkIndex
{
    public const string LinkIdProperty = "LinkId";
    public const string StateProperty = "State";
    public const string RefreshedAtProperty = "TransactionsRefreshedAt";
    public const string NotBeforeProperty = "NotBefore";
    public const string RefreshRequestedAtProperty = "RefreshRequestedAt";
    public const string AwaitingRefreshProperty = "AwaitingRefresh";

    /// <summary>Stands for "never": Table Storage's smallest DateTime.</summary>
    public static readonly DateTimeOffset Never = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Brings the index row in line with the link's state row (ETag-guarded read-modify-write).</summary>
    public static async Task UpsertFromStateAsync(BridgeTables tables, LinkState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(state);
        var rowKey = LinkRows.Partition(state.LinkId);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var current = await tables.LinkIndex.GetEntityIfExistsAsync(LinkRows.IndexPartition, rowKey, cancellationToken: cancellationToken);
            if (state.IsDeleted)
            {
                if (current is not null)
                {
                    await tables.LinkIndex.DeleteEntityAsync(LinkRows.IndexPartition, rowKey, cancellationToken: cancellationToken);
                }

                return;
            }

            var next = current?.Clone() ?? new TableEntity(LinkRows.IndexPartition, rowKey);

            var refreshedAt = state.TransactionsRefreshedAt ?? Never;
            next[LinkIdProperty] = state.LinkId;
            next[StateProperty] = state.SyncBlockedBy is null ? state.State ?? string.Empty : "blocked";
            next[RefreshedAtProperty] = refreshedAt;
            next[NotBeforeProperty] = current?.GetDateTimeOffset(NotBeforeProperty) ?? Never;
            var requestedAt = current?.GetDateTimeOffset(RefreshRequestedAtProperty);
            next[AwaitingRefreshProperty] = requestedAt is { } requested && refreshedAt < requested && (current?.GetBoolean(AwaitingRefreshProperty) ?? false);
            try
            {
                if (current is null)
                {
                    await tables.LinkIndex.AddEntityAsync(next, cancellationToken);
                }
                else
                {
                    await tables.LinkIndex.UpdateEntityAsync(next, current.ETag, merge: false, cancellationToken);
                }

                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Changed meanwhile (the planner claimed it): read again.
            }
        }
    }
}

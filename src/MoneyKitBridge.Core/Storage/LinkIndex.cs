using Azure;
using MoneyKitBridge.TableStorage;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// One small row per link in the <c>linkindex</c> table (single partition) so the refresh planner finds due links
/// with one filtered query instead of reading every link's data: state, last transactions refresh, the earliest
/// time the next refresh is allowed, whether a requested refresh has not been synced yet, and when MoneyKit last
/// accepted a refresh of each product (<see cref="AcceptedRefreshProperty"/>; what its per-product limits count).
/// </summary>
public static class LinkIndex
{
    public const string LinkIdProperty = "LinkId";
    public const string StateProperty = "State";
    public const string RefreshedAtProperty = "TransactionsRefreshedAt";
    public const string NotBeforeProperty = "NotBefore";
    public const string RefreshRequestedAtProperty = "RefreshRequestedAt";
    public const string AwaitingRefreshProperty = "AwaitingRefresh";
    public const string AcceptedRefreshPrefix = "RefreshAccepted_";

    /// <summary>Stands for "never": Table Storage's smallest DateTime.</summary>
    public static readonly DateTimeOffset Never = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The property holding when MoneyKit last accepted a refresh of <paramref name="product"/> (a product name is a valid property name).</summary>
    public static string AcceptedRefreshProperty(string product) => AcceptedRefreshPrefix + product;

    /// <summary>When MoneyKit last accepted a refresh of <paramref name="product"/> of the row's link; null when never (or no row).</summary>
    public static DateTimeOffset? LastAcceptedRefresh(TableEntity? row, string product) => row?.GetDateTimeOffset(AcceptedRefreshProperty(product));

    /// <summary>
    /// Records that MoneyKit accepted a refresh of <paramref name="products"/> requested at <paramref name="requestedAt"/>
    /// (taken before the call, so never later than MoneyKit's own record). With <paramref name="notBefore"/>, also keeps
    /// the timer away until then and marks the refresh as awaiting its sync. A merge of these properties only,
    /// unconditional: every other writer of the row replaces it under its ETag, so nothing recorded here is lost.
    /// Nothing happens when the link has no index row (deleted).
    /// </summary>
    public static async Task RecordAcceptedRefreshAsync(BridgeTables tables, string linkId, IEnumerable<string> products, DateTimeOffset requestedAt, DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(products);
        var changes = new TableEntity(LinkRows.IndexPartition, LinkRows.Partition(linkId));
        foreach (var product in products)
        {
            changes[AcceptedRefreshProperty(product)] = requestedAt;
        }

        if (notBefore is { } until)
        {
            changes[NotBeforeProperty] = until;
            changes[RefreshRequestedAtProperty] = requestedAt;
            changes[AwaitingRefreshProperty] = true;
        }

        try
        {
            await tables.LinkIndex.UpdateEntityAsync(changes, ETag.All, merge: true, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Deleted meanwhile: nothing left to refresh.
        }
    }

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

using Azure;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// One small row per link in the <c>linkindex</c> table (single partition) so the refresh planner finds due links
/// with one filtered query instead of reading every link's data: state, last transactions refresh, the earliest
/// time the next refresh is allowed, and whether a requested refresh has not been synced yet.
/// </summary>
public sealed record LinkIndexRow
{
    /// <summary>Stands for "never": Table Storage's smallest DateTime.</summary>
    public static readonly DateTimeOffset Never = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public required string LinkId { get; init; }

    /// <summary>The link's MoneyKit state, or <c>blocked</c> while a link error stops its syncs.</summary>
    public string State { get; init; } = string.Empty;

    /// <summary>Last transactions refresh (<see cref="Never"/> when none).</summary>
    public DateTimeOffset TransactionsRefreshedAt { get; init; } = Never;

    /// <summary>Earliest time the next refresh may be requested.</summary>
    public DateTimeOffset NotBefore { get; init; } = Never;

    /// <summary>When the last refresh was requested.</summary>
    public DateTimeOffset? RefreshRequestedAt { get; init; }

    /// <summary>A requested refresh has not been synced yet (the timer reconciles lost webhooks through it).</summary>
    public bool AwaitingRefresh { get; init; }

    public ETag ETag { get; init; }

    public TableEntity ToEntity() =>
        new TableEntity(LinkRows.IndexPartition, LinkRows.Partition(LinkId))
            .Put(nameof(LinkId), LinkId)
            .Put(nameof(State), State)
            .Put(nameof(TransactionsRefreshedAt), TransactionsRefreshedAt)
            .Put(nameof(NotBefore), NotBefore)
            .Put(nameof(RefreshRequestedAt), RefreshRequestedAt)
            .Put(nameof(AwaitingRefresh), AwaitingRefresh);

    public static LinkIndexRow FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new()
        {
            LinkId = entity.GetString(nameof(LinkId)) ?? TableKeys.Decode(entity.RowKey),
            State = entity.GetString(nameof(State)) ?? string.Empty,
            TransactionsRefreshedAt = entity.GetDateTimeOffset(nameof(TransactionsRefreshedAt)) ?? Never,
            NotBefore = entity.GetDateTimeOffset(nameof(NotBefore)) ?? Never,
            RefreshRequestedAt = entity.GetDateTimeOffset(nameof(RefreshRequestedAt)),
            AwaitingRefresh = entity.GetBoolean(nameof(AwaitingRefresh)) ?? false,
            ETag = entity.ETag,
        };
    }
}

/// <summary>Reads and writes <see cref="LinkIndexRow"/>s (every update ETag-guarded).</summary>
public static class LinkIndex
{
    /// <summary>Brings the index row in line with the link's state row (ETag-guarded read-modify-write).</summary>
    public static async Task UpsertFromStateAsync(BridgeTables tables, LinkState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(state);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var current = await GetAsync(tables, state.LinkId, cancellationToken);
            if (state.IsDeleted)
            {
                if (current is not null)
                {
                    await tables.LinkIndex.DeleteEntityAsync(LinkRows.IndexPartition, LinkRows.Partition(state.LinkId), ETag.All, cancellationToken);
                }

                return;
            }

            var refreshedAt = state.TransactionsRefreshedAt ?? LinkIndexRow.Never;
            var requestedAt = current?.RefreshRequestedAt;
            var next = (current ?? new LinkIndexRow { LinkId = state.LinkId }) with
            {
                LinkId = state.LinkId,
                State = state.SyncBlockedBy is null ? state.State ?? string.Empty : "blocked",
                TransactionsRefreshedAt = refreshedAt,
                AwaitingRefresh = requestedAt is { } requested && refreshedAt < requested && (current?.AwaitingRefresh ?? false),
            };
            try
            {
                if (current is null)
                {
                    await tables.LinkIndex.AddCheckedAsync(next.ToEntity(), cancellationToken);
                }
                else
                {
                    await tables.LinkIndex.UpdateCheckedAsync(next.ToEntity(), current.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Changed meanwhile (the planner claimed it): read again.
            }
        }
    }

    /// <summary>The link's index row, or null.</summary>
    public static async Task<LinkIndexRow?> GetAsync(BridgeTables tables, string linkId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var response = await tables.LinkIndex.GetEntityIfExistsAsync<TableEntity>(LinkRows.IndexPartition, LinkRows.Partition(linkId), cancellationToken: cancellationToken);
        return response.HasValue ? LinkIndexRow.FromEntity(response.Value!) : null;
    }

    /// <summary>Replaces the row if its ETag is still <paramref name="ifMatch"/>; the new ETag, or null when it changed or is gone.</summary>
    public static async Task<ETag?> TryReplaceAsync(BridgeTables tables, LinkIndexRow row, ETag ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(row);
        try
        {
            return await tables.LinkIndex.UpdateCheckedAsync(row.ToEntity(), ifMatch, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return null;
        }
    }

    /// <summary>Rows matching <paramref name="filter"/> (made with <see cref="TableClient.CreateQueryFilter(FormattableString)"/>), at most <paramref name="max"/>.</summary>
    public static async Task<List<LinkIndexRow>> QueryAsync(BridgeTables tables, FormattableString filter, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var rows = new List<LinkIndexRow>();
        var text = TableClient.CreateQueryFilter($"PartitionKey eq {LinkRows.IndexPartition}") + " and " + TableClient.CreateQueryFilter(filter);
        await foreach (var entity in tables.LinkIndex.QueryAsync<TableEntity>(text, cancellationToken: cancellationToken))
        {
            rows.Add(LinkIndexRow.FromEntity(entity));
            if (rows.Count >= max)
            {
                break;
            }
        }

        return rows;
    }
}

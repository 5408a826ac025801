using Azure;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// One small row per link in the <c>linkindex</c> table (single partition) so the refresh planner finds due links
/// with one filtered query instead of reading every link's data: state, last transactions refresh, the earliest
/// time the next refresh is allowed, whether a requested refresh has not been synced yet, and when MoneyKit last
/// accepted a refresh of each product (<see cref="AcceptedRefreshes"/>; what its per-product limits count).
/// </summary>
public sealed record LinkIndexRow
{
    /// <summary>Stands for "never": Table Storage's smallest DateTime.</summary>
    public static readonly DateTimeOffset Never = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Prefix of the per-product accepted-refresh properties (a product name is a valid property name).</summary>
    public const string AcceptedRefreshPrefix = "RefreshAccepted_";

    private static readonly Dictionary<string, DateTimeOffset> EmptyRefreshes = [];

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

    /// <summary>When MoneyKit last accepted a refresh, per product (stored as <c>RefreshAccepted_{product}</c>).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> AcceptedRefreshes { get; init; } = EmptyRefreshes;

    public ETag ETag { get; init; }

    /// <summary>The row with <paramref name="products"/> recorded as accepted at <paramref name="at"/> (a claim, or MoneyKit's 202).</summary>
    public LinkIndexRow WithAcceptedRefresh(IEnumerable<string> products, DateTimeOffset at)
    {
        var accepted = new Dictionary<string, DateTimeOffset>(AcceptedRefreshes, StringComparer.Ordinal);
        foreach (var product in products)
        {
            accepted[product] = at;
        }

        return this with { AcceptedRefreshes = accepted };
    }

    /// <summary>
    /// The row with a claim made at <paramref name="at"/> on <paramref name="products"/> given back: each product still
    /// carrying exactly that time gets its value from before the claim (<paramref name="before"/>) again, or none.
    /// </summary>
    public LinkIndexRow WithoutRefreshClaim(IEnumerable<string> products, DateTimeOffset at, IReadOnlyDictionary<string, DateTimeOffset> before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var accepted = new Dictionary<string, DateTimeOffset>(AcceptedRefreshes, StringComparer.Ordinal);
        foreach (var product in products)
        {
            if (accepted.TryGetValue(product, out var claimed) && claimed == at)
            {
                if (before.TryGetValue(product, out var earlier))
                {
                    accepted[product] = earlier;
                }
                else
                {
                    accepted.Remove(product);
                }
            }
        }

        return this with { AcceptedRefreshes = accepted };
    }

    public TableEntity ToEntity()
    {
        var entity = new TableEntity(LinkRows.IndexPartition, LinkRows.Partition(LinkId))
            .Put(nameof(LinkId), LinkId)
            .Put(nameof(State), State)
            .Put(nameof(TransactionsRefreshedAt), TransactionsRefreshedAt)
            .Put(nameof(NotBefore), NotBefore)
            .Put(nameof(RefreshRequestedAt), RefreshRequestedAt)
            .Put(nameof(AwaitingRefresh), AwaitingRefresh);
        foreach (var (product, acceptedAt) in AcceptedRefreshes)
        {
            entity[AcceptedRefreshPrefix + product] = acceptedAt;
        }

        return entity;
    }

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
            AcceptedRefreshes = entity.Keys
                .Where(key => key.StartsWith(AcceptedRefreshPrefix, StringComparison.Ordinal) && entity.GetDateTimeOffset(key) is not null)
                .ToDictionary(key => key[AcceptedRefreshPrefix.Length..], key => entity.GetDateTimeOffset(key)!.Value, StringComparer.Ordinal),
            ETag = entity.ETag,
        };
    }
}

/// <summary>Reads and writes <see cref="LinkIndexRow"/>s (every update ETag-guarded).</summary>
public static class LinkIndex
{
    /// <summary>When MoneyKit last accepted a refresh of <paramref name="product"/> of the row's link; null when never (or no row).</summary>
    public static DateTimeOffset? LastAcceptedRefresh(LinkIndexRow? row, string product) =>
        row is not null && row.AcceptedRefreshes.TryGetValue(product, out var acceptedAt) ? acceptedAt : null;

    /// <summary>
    /// Records that MoneyKit accepted a refresh of <paramref name="products"/> requested at <paramref name="requestedAt"/>
    /// (taken before the call, so never later than MoneyKit's own record). With <paramref name="notBefore"/>, also keeps
    /// the timer away until then and marks the refresh as awaiting its sync. A merge of these properties only,
    /// unconditional: every other writer replaces the row under its ETag from a read that carries these properties
    /// (<see cref="LinkIndexRow.AcceptedRefreshes"/>), so nothing recorded here is lost. Nothing happens when the link
    /// has no index row (deleted).
    /// </summary>
    public static async Task RecordAcceptedRefreshAsync(BridgeTables tables, string linkId, IEnumerable<string> products, DateTimeOffset requestedAt, DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(products);
        var changes = new TableEntity(LinkRows.IndexPartition, LinkRows.Partition(linkId));
        foreach (var product in products)
        {
            changes[LinkIndexRow.AcceptedRefreshPrefix + product] = requestedAt;
        }

        if (notBefore is { } until)
        {
            changes[nameof(LinkIndexRow.NotBefore)] = until;
            changes[nameof(LinkIndexRow.RefreshRequestedAt)] = requestedAt;
            changes[nameof(LinkIndexRow.AwaitingRefresh)] = true;
        }

        try
        {
            await tables.LinkIndex.UpdateCheckedAsync(changes, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Deleted meanwhile: nothing left to refresh.
        }
    }

    /// <summary>
    /// Claims a refresh of <paramref name="products"/> before MoneyKit is asked: records them as accepted at
    /// <paramref name="at"/> if the row is still the one read (its ETag). Every caller on every instance checks the
    /// limit against these times, so of two callers only the one whose claim lands asks MoneyKit; the other sees the
    /// limit taken. A caller whose refresh MoneyKit does not accept gives the claim back
    /// (<see cref="ReleaseRefreshClaimAsync"/>); after a crash in between the claim stands, which only delays the
    /// next refresh. Returns the claimed row with its new ETag, or null when the row changed or is gone.
    /// </summary>
    public static async Task<LinkIndexRow?> TryClaimRefreshAsync(BridgeTables tables, LinkIndexRow row, IEnumerable<string> products, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var claimed = row.WithAcceptedRefresh(products, at);
        return await TryReplaceAsync(tables, claimed, row.ETag, cancellationToken) is { } etag ? claimed with { ETag = etag } : null;
    }

    /// <summary>
    /// Gives back a claim of <see cref="TryClaimRefreshAsync"/> made at <paramref name="at"/>: each product still carrying
    /// that time gets its earlier value (<paramref name="before"/>) again. Read-modify-write under the ETag, retried
    /// when the row changes meanwhile; nothing happens when the row is gone or was claimed anew.
    /// </summary>
    public static async Task ReleaseRefreshClaimAsync(
        BridgeTables tables, string linkId, IReadOnlyList<string> products, DateTimeOffset at, IReadOnlyDictionary<string, DateTimeOffset> before, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var current = await GetAsync(tables, linkId, cancellationToken);
            if (current is null || !products.Any(p => LastAcceptedRefresh(current, p) == at))
            {
                return;
            }

            if (await TryReplaceAsync(tables, current.WithoutRefreshClaim(products, at, before), current.ETag, cancellationToken) is not null)
            {
                return;
            }
        }
    }

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

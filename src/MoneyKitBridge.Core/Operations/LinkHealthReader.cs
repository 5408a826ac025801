using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Operations;

/// <summary>
/// The operator view's reads: every link's state row (one filtered scan of <c>linkstates</c>) with its index row
/// (<c>linkindex</c>, one partition), and for one link its <c>linkstates</c> partition (state, product refresh and
/// webhook event rows) and its sync history in <c>links</c>. Reads only; returns nothing secret.
/// </summary>
public sealed class LinkHealthReader(BridgeTables tables, TimeProvider time, IOptions<RefreshOptions> refresh)
{
    /// <summary>Sync runs the detail lists (newest first).</summary>
    public const int MaxSyncHistory = 20;

    /// <summary>Webhook events the detail lists (newest first).</summary>
    public const int MaxWebhookEvents = 50;

    /// <summary>The state row columns the list reads (not the cursor, lease or feed bookkeeping).</summary>
    private static readonly string[] ListColumns =
    [
        nameof(LinkState.LinkId), nameof(LinkState.State), nameof(LinkState.ErrorCode), nameof(LinkState.LinkJson), nameof(LinkState.TransactionsRefreshedAt),
        nameof(LinkState.LastSyncAt), nameof(LinkState.SyncBlockedBy), nameof(LinkState.DeletedAt),
    ];

    private readonly RefreshOptions settings = refresh.Value;

    /// <summary>The page of links matching <paramref name="query"/>; deleted links only when asked for by state.</summary>
    public async Task<LinkHealthPage> ListAsync(LinkHealthQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var now = time.GetUtcNow();
        var index = new Dictionary<string, LinkIndexRow>(StringComparer.Ordinal);
        await foreach (var entity in tables.LinkIndex.QueryAsync<TableEntity>(TableKeys.PartitionFilter(LinkRows.IndexPartition), cancellationToken: cancellationToken))
        {
            var row = LinkIndexRow.FromEntity(entity);
            index[row.LinkId] = row;
        }

        var matching = new List<LinkHealthSummary>();
        var filter = TableClient.CreateQueryFilter($"RowKey eq {LinkRows.StateRow}");
        await foreach (var entity in tables.States.QueryAsync<TableEntity>(filter, select: ListColumns, cancellationToken: cancellationToken))
        {
            var state = LinkState.FromEntity(entity);
            var summary = Summarize(state, index.GetValueOrDefault(state.LinkId), now);
            if ((query.State is null ? state.IsDeleted : summary.State != query.State)
                || (query.Error is not null && summary.ErrorCode != query.Error)
                || (query.Stale is { } stale && summary.Stale != stale))
            {
                continue;
            }

            matching.Add(summary);
        }

        matching.Sort((a, b) => string.CompareOrdinal(a.LinkId, b.LinkId));
        var page = matching.Skip((query.Page - 1) * query.Size).Take(query.Size).ToList();
        return new LinkHealthPage(page, query.Page, query.Size, matching.Count);
    }

    /// <summary>The health of link <paramref name="linkId"/>, or null when the bridge does not know it.</summary>
    public async Task<LinkHealthDetail?> GetAsync(string linkId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkId);
        var partition = LinkRows.Partition(linkId);
        LinkState? state = null;
        var refreshStates = new Dictionary<string, string?>(StringComparer.Ordinal);
        var events = new List<WebhookEventSummary>();
        var eventKeys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entity in tables.States.QueryAsync<TableEntity>(TableKeys.PartitionFilter(partition), cancellationToken: cancellationToken))
        {
            if (entity.RowKey == LinkRows.StateRow)
            {
                state = LinkState.FromEntity(entity);
            }
            else if (entity.RowKey.StartsWith(LinkRows.ProductPrefix, StringComparison.Ordinal))
            {
                var product = ProductRefreshRow.FromEntity(linkId, entity);
                refreshStates[product.Product] = product.State;
            }
            else if (entity.RowKey.StartsWith(LinkRows.EventPrefix, StringComparison.Ordinal))
            {
                var e = WebhookEventRow.FromEntity(entity);
                eventKeys.Add(e.IdempotencyKey);
                events.Add(new WebhookEventSummary(e.Event, e.Outcome, e.ReceivedAt, e.WebhookTimestamp, e.Attempt, e.State, e.ErrorCode, e.Product));
            }
        }

        if (state is null)
        {
            return null;
        }

        // State changes applied so recently that their event rows may not be written yet (see DeferredEventRows).
        events.AddRange(state.AppliedStateChanges.Where(c => !eventKeys.Contains(c.IdempotencyKey)).Select(c => new WebhookEventSummary(
            MoneyKitWebhookEvent.LinkStateChanged, WebhookLog.Name(WebhookOutcome.Applied), c.ReceivedAt, c.WebhookTimestamp, c.Attempt, c.State, c.ErrorCode, null)));

        var history = new List<SyncRun>();
        await foreach (var entity in tables.Links.QueryAsync<TableEntity>(LinkRows.KindFilter(partition, LinkRows.SyncHistoryPrefix), cancellationToken: cancellationToken))
        {
            var run = SyncHistoryRow.FromEntity(entity);
            history.Add(new SyncRun(
                run.Trigger, run.StartedAt, run.EndedAt, (run.EndedAt - run.StartedAt).TotalMilliseconds, run.Created + run.Updated + run.Removed,
                run.Created, run.Updated, run.Removed, run.Pages, run.Outcome, run.Error));
            if (history.Count >= MaxSyncHistory)
            {
                break;
            }
        }

        var indexRow = await LinkIndex.GetAsync(tables, linkId, cancellationToken);
        return new LinkHealthDetail(
            Summarize(state, indexRow, time.GetUtcNow()),
            state.SyncBlockedBy,
            indexRow?.AwaitingRefresh ?? false,
            indexRow?.RefreshRequestedAt,
            Products(state.Link?.Products, refreshStates),
            history.Count > 0 ? history[0] : null,
            history,
            [.. events.OrderByDescending(e => e.ReceivedAt).Take(MaxWebhookEvents)],
            new SnapshotHealth(state.Generation, state.ResyncGeneration, state.ResyncReason, state.ResyncGeneration is null ? null : state.ResyncSequence - state.ResyncBase, state.RetiredFrom));
    }

    private LinkHealthSummary Summarize(LinkState state, LinkIndexRow? index, DateTimeOffset now)
    {
        var stateName = state.IsDeleted ? MoneyKitLinkStates.Deleted : state.State ?? string.Empty;
        var synced = state.TransactionsRefreshedAt;
        var upstream = state.Link?.Products?.Transactions?.RefreshedAt;
        double? lag = upstream is { } u ? Math.Max(0, (u - (synced ?? u)).TotalSeconds) : null;
        if (upstream is { } up && synced is null)
        {
            lag = Math.Max(0, (now - up).TotalSeconds); // MoneyKit has data the bridge never synced
        }

        // The planner refreshes connected links only (a link error or a sync stopped by one waits for MoneyKit's next state change).
        DateTimeOffset? nextDue = null;
        if (stateName == MoneyKitLinkStates.Connected && state.SyncBlockedBy is null)
        {
            var staleAt = (synced ?? now) + settings.StaleAfter;
            var notBefore = index?.NotBefore ?? LinkIndexRow.Never;
            nextDue = notBefore > staleAt ? notBefore : staleAt;
        }

        var stale = !state.IsDeleted && (synced is null || synced <= now - settings.StaleAfter);
        var healthy = stateName == MoneyKitLinkStates.Connected && state.ErrorCode is null && state.SyncBlockedBy is null;
        return new LinkHealthSummary(
            state.LinkId, stateName, state.ErrorCode, healthy, stale, state.Link?.InstitutionId, state.Link?.InstitutionName,
            state.LastSyncAt, synced, upstream, lag, nextDue);
    }

    private static List<ProductHealth> Products(MoneyKitLinkProducts? products, Dictionary<string, string?> refreshStates)
    {
        var list = new List<ProductHealth>();
        void Add(string name, MoneyKitLinkProduct? product)
        {
            if (product is not null || refreshStates.ContainsKey(name))
            {
                list.Add(new ProductHealth(name, product?.RefreshedAt, product?.LastAttemptedAt, product?.ErrorCode, refreshStates.GetValueOrDefault(name)));
            }
        }

        Add("accounts", products?.Accounts);
        Add("account_numbers", products?.AccountNumbers);
        Add("identity", products?.Identity);
        Add("transactions", products?.Transactions);
        Add("investments", products?.Investments);
        Add("enrichment", products?.Enrichment);
        return list;
    }
}

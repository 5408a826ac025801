using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Products;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Telemetry;
using MoneyKitBridge.MoneyKit;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Sync;

/// <summary>
/// Keeps one link's partition an exact copy of MoneyKit's data. A sync claims the link with an ETag-guarded lease
/// (a second claimant only leaves a "sync again" mark), pages <c>transactions/sync</c> from the stored cursor,
/// writes each page's rows in Table batches and commits the cursor only after the page's data, then replaces
/// the pending set when the transactions refresh advanced. A crash anywhere converges on the next run. When a full
/// resync is due (an operator asked, or MoneyKit rejected the stored cursor) the run walks the feed into a new
/// generation of the snapshot instead and switches to it (see <c>LinkSyncEngine.Resync.cs</c>).
/// </summary>
public sealed partial class LinkSyncEngine
{
    private readonly BridgeTables tables;
    private readonly LinkStateStore states;
    private readonly MoneyKitClient moneyKit;
    private readonly SyncOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<LinkSyncEngine> logger;
    private readonly ProductDataFetcher products;

    public LinkSyncEngine(BridgeTables tables, LinkStateStore states, MoneyKitClient moneyKit, IOptions<SyncOptions> options, TimeProvider time, ILogger<LinkSyncEngine> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.tables = tables;
        this.states = states;
        this.moneyKit = moneyKit;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        products = new ProductDataFetcher(tables, moneyKit, time, logger);
    }

    /// <summary>Test seam: called at every durable step; throwing from it acts out a crash at that point.</summary>
    internal Func<SyncCheckpoint, ValueTask>? Checkpoint { get; set; }

    /// <summary>Syncs the link, or asks the current holder to run again. Never runs two loops for one link at once.</summary>
    public async Task<SyncOutcome> SyncAsync(string linkId, SyncTrigger trigger, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkId);
        using var activity = BridgeTelemetry.StartSync(trigger);
        var started = time.GetTimestamp();
        var outcome = new SyncOutcome(SyncStatus.Failed);
        try
        {
            outcome = await SyncLinkAsync(linkId, trigger, cancellationToken);
            return outcome;
        }
        finally
        {
            BridgeTelemetry.SyncEnded(trigger, outcome, time.GetElapsedTime(started));
        }
    }

    private async Task<SyncOutcome> SyncLinkAsync(string linkId, SyncTrigger trigger, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid().ToString("N");
        var claim = await ClaimAsync(linkId, owner, cancellationToken);
        if (claim.Outcome is { } early)
        {
            return early;
        }

        var state = claim.State!;
        var total = new SyncOutcome(SyncStatus.Completed);
        while (true)
        {
            (SyncOutcome Outcome, LinkState State) run;
            try
            {
                run = await RunOnceAsync(state, owner, trigger, cancellationToken);
            }
            catch (Exception e) when (e is not SyncLeaseLostException)
            {
                // Storage trouble or cancellation: hand the lease back so the next trigger need not wait for it to expire.
                await TryReleaseAsync(linkId, owner);
                throw;
            }

            total = Add(total, run.Outcome);
            if (run.Outcome.Status != SyncStatus.Completed)
            {
                await ReleaseAsync(linkId, owner, honourRequests: false, CancellationToken.None);
                return total with { Status = run.Outcome.Status, Error = run.Outcome.Error };
            }

            var again = await ReleaseAsync(linkId, owner, honourRequests: true, cancellationToken);
            if (again is null)
            {
                return total;
            }

            state = again;
        }
    }

    private static SyncOutcome Add(SyncOutcome a, SyncOutcome b) =>
        a with { Pages = a.Pages + b.Pages, Created = a.Created + b.Created, Updated = a.Updated + b.Updated, Removed = a.Removed + b.Removed, PendingReplaced = a.PendingReplaced + b.PendingReplaced };

    private async Task<(LinkState? State, SyncOutcome? Outcome)> ClaimAsync(string linkId, string owner, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var state = await states.GetAsync(linkId, cancellationToken);
            if (state is null || state.IsDeleted || state.SyncBlockedBy is not null)
            {
                return (null, new SyncOutcome(SyncStatus.Skipped, Error: state?.SyncBlockedBy));
            }

            var now = time.GetUtcNow();
            if (state.LeaseOwner is not null && state.LeaseUntil > now)
            {
                if (state.SyncRequested || await states.TryReplaceAsync(state with { SyncRequested = true }, cancellationToken) is not null)
                {
                    logger.LogInformation("Sync of link {LinkId} is running elsewhere; asked it to run again", linkId);
                    return (null, new SyncOutcome(SyncStatus.Coalesced));
                }

                continue;
            }

            var claimed = await states.TryReplaceAsync(state with { LeaseOwner = owner, LeaseUntil = now + options.LeaseDuration, SyncRequested = false }, cancellationToken);
            if (claimed is not null)
            {
                return (claimed, null);
            }
        }

        throw new InvalidOperationException($"Could not claim link {linkId}: its state row kept changing.");
    }

    private async Task TryReleaseAsync(string linkId, string owner)
    {
        try
        {
            await ReleaseAsync(linkId, owner, honourRequests: false, CancellationToken.None);
        }
        catch (RequestFailedException e)
        {
            logger.LogWarning("Could not release the sync lease of link {LinkId} ({Status}); it expires by itself", linkId, e.Status);
        }
    }

    /// <summary>Releases the lease; when another trigger asked meanwhile (and <paramref name="honourRequests"/>) keeps it and returns the state to run again with.</summary>
    private async Task<LinkState?> ReleaseAsync(string linkId, string owner, bool honourRequests, CancellationToken cancellationToken)
    {
        LinkState? rerun = null;
        await states.UpdateAsync(
            linkId,
            current =>
            {
                rerun = null;
                if (current.LeaseOwner != owner)
                {
                    return null;
                }

                if (honourRequests && current.SyncRequested && current.SyncBlockedBy is null && !current.IsDeleted)
                {
                    rerun = current with { SyncRequested = false, LeaseUntil = time.GetUtcNow() + options.LeaseDuration };
                    return rerun;
                }

                return current with { LeaseOwner = null, LeaseUntil = null };
            },
            cancellationToken);
        return rerun is null ? null : await states.GetAsync(linkId, cancellationToken);
    }

    /// <summary>
    /// One run under the lease: the incremental sync of the serving generation, or — when a full resync is due (asked
    /// for, or MoneyKit just rejected the stored cursor) — the walk into a new generation and the switch to it.
    /// </summary>
    private async Task<(SyncOutcome Outcome, LinkState State)> RunOnceAsync(LinkState state, string owner, SyncTrigger trigger, CancellationToken cancellationToken)
    {
        if (state.ResyncGeneration is null)
        {
            var run = await RunIncrementalAsync(state, owner, trigger, cancellationToken);
            if (!run.CursorRejected)
            {
                return (run.Outcome, run.State);
            }

            state = run.State;
        }

        return await RunResyncAsync(state, owner, trigger, cancellationToken);
    }

    private async Task<(SyncOutcome Outcome, LinkState State, bool CursorRejected)> RunIncrementalAsync(LinkState state, string owner, SyncTrigger trigger, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var partition = LinkRows.Partition(state.LinkId);
        var generation = state.Generation;
        var progress = new PageProgress();
        int pendingReplaced = 0;
        Task<MoneyKitTransactionSyncResponse>? prefetched = null;
        DateTimeOffset? stateSeen = null; // the state row's StateChangedAt when the page in hand was requested
        using var stopPrefetch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            // A link without the transactions product still has accounts: skip the feed, keep the accounts fresh.
            var hasMore = state.Link?.Products is not { Transactions: null };
            while (hasMore)
            {
                MoneyKitTransactionSyncResponse page;
                try
                {
                    if (prefetched is null)
                    {
                        stateSeen = state.StateChangedAt;
                    }

                    page = await (prefetched ?? moneyKit.SyncTransactionsAsync(state.LinkId, state.Cursor, options.PageSize, stopPrefetch.Token));
                    prefetched = null;
                }
                catch (MoneyKitException e) when (e.Status == 403 && e.ErrorCode == "link_error.forbidden_action")
                {
                    prefetched = null;
                    break;
                }
                catch (MoneyKitException e) when (IsCursorRejection(e) && state.Cursor is not null)
                {
                    // MoneyKit no longer knows the stored cursor: only a walk from an empty cursor can rebuild the
                    // snapshot, into a new generation while this one keeps serving.
                    prefetched = null;
                    state = await CommitAsync(state, owner, s => s with { ResyncGeneration = s.ResyncGeneration ?? s.Generation + 1, ResyncReason = s.ResyncReason ?? ResyncReasons.CursorRejected }, cancellationToken);
                    LogCursorRejected(logger, state.LinkId, e.RequestId, state.ResyncGeneration!.Value);
                    return (new SyncOutcome(SyncStatus.Completed, progress.Pages, progress.Created, progress.Updated, progress.Removed), state, true);
                }

                // The next page is fetched while this one is written. Reading the feed changes nothing: if this page's
                // writes fail, the stored cursor still points at this page and the prefetched one is dropped.
                var pageStateSeen = stateSeen;
                if (page.HasMore && page.Cursor.Next is { } nextCursor)
                {
                    stateSeen = state.StateChangedAt;
                    prefetched = moneyKit.SyncTransactionsAsync(state.LinkId, nextCursor, options.PageSize, stopPrefetch.Token);
                }

                var refreshedAt = page.Link?.Products?.Transactions?.RefreshedAt ?? state.TransactionsRefreshedAt;

                // Every row this page writes carries the feed sequence the page commits below; the feed serves a row
                // only once the state row's FeedSequence reached it (a replay after a crash writes the same sequence).
                var seq = state.FeedSequence + 1;
                state = await KeepLeaseAsync(state, owner, cancellationToken);
                await ApplyPageAsync(page, partition, generation, seq, refreshedAt, progress, cancellationToken);

                // Progress only after the page's data: a crash before this line replays the page (idempotent upserts/deletes).
                var link = page.Link;
                state = await CommitAsync(state, owner, s => s.WithSyncedLink(link, pageStateSeen) with
                {
                    Cursor = page.Cursor.Next ?? s.Cursor,
                    Version = s.Version + 1,
                    FeedSequence = seq,
                    HasData = true,
                    TransactionsRefreshedAt = refreshedAt,
                    LeaseUntil = time.GetUtcNow() + options.LeaseDuration,
                }, cancellationToken);
                await ReachedAsync(SyncCheckpoint.PageCommitted);
                hasMore = page.HasMore;
            }

            if (!progress.AccountsSeen)
            {
                progress.AccountsSeen = await RefreshAccountsAsync(state, partition, generation, cancellationToken);
            }

            // Account numbers and identity: fetched here when granted and refreshed at MoneyKit (or never stored), never per read.
            await products.FetchDueAsync(state, cancellationToken);

            var pendingSeq = state.FeedSequence + 1;
            var pendingStep = false;
            if (state.TransactionsRefreshedAt is { } refreshed && (state.PendingRefreshedAt is null || refreshed > state.PendingRefreshedAt))
            {
                pendingStep = true;
                state = await KeepLeaseAsync(state, owner, cancellationToken);
                pendingReplaced = await ReplacePendingAsync(partition, generation, refreshed, pendingSeq, cancellationToken);
                await ReachedAsync(SyncCheckpoint.PendingReplaced);
            }

            var syncedAt = time.GetUtcNow();
            state = await CommitAsync(state, owner, s => s with
            {
                PendingRefreshedAt = s.TransactionsRefreshedAt,
                LastSyncAt = syncedAt,
                Version = pendingReplaced > 0 || progress.AccountsSeen ? s.Version + 1 : s.Version,
                // Also when nothing was replaced now: tombstones a crashed run wrote at this sequence become visible.
                FeedSequence = pendingStep ? Math.Max(s.FeedSequence, pendingSeq) : s.FeedSequence,
                TombstonesPurgedAt = s.TombstonesPurgedAt ?? syncedAt,
            }, cancellationToken);
            if (syncedAt - state.TombstonesPurgedAt >= options.TombstonePurgeInterval)
            {
                state = await PurgeTombstonesAsync(state, owner, partition, cancellationToken);
            }

            state = await PurgeRetiredGenerationsAsync(state, owner, partition, cancellationToken);

            await LinkIndex.UpsertFromStateAsync(tables, state, cancellationToken);

            var outcome = new SyncOutcome(SyncStatus.Completed, progress.Pages, progress.Created, progress.Updated, progress.Removed, pendingReplaced);
            await RecordHistoryAsync(partition, trigger, started, outcome, null, cancellationToken);
            if (state.TransactionsRefreshedAt is { } storedRefresh)
            {
                BridgeTelemetry.SyncLag(trigger, time.GetUtcNow() - storedRefresh);
            }

            logger.LogInformation(
                "Synced link {LinkId} ({Trigger}): {Pages} pages, {Created} created, {Updated} updated, {Removed} removed, {Pending} stale pending removed",
                state.LinkId, trigger, progress.Pages, progress.Created, progress.Updated, progress.Removed, pendingReplaced);
            return (outcome, state, false);
        }
        catch (MoneyKitException e) when (e.Status is 403 or 404 or 410 or 422)
        {
            return (await StopForLinkErrorAsync(state, owner, trigger, started, progress, e), state, false);
        }
        catch (MoneyKitException e)
        {
            return (await FailAsync(state, trigger, started, progress, e), state, false);
        }
        finally
        {
            if (prefetched is not null)
            {
                // Left unread because the sync stopped early: cancel it and observe its end, whatever it was.
                await stopPrefetch.CancelAsync();
                await ((Task)prefetched).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>MoneyKit refused the link (deleted, in error, not granted): recorded on the state row, which blocks syncs until the link's state changes.</summary>
    private async Task<SyncOutcome> StopForLinkErrorAsync(LinkState state, string owner, SyncTrigger trigger, DateTimeOffset started, PageProgress progress, MoneyKitException e)
    {
        var linkState = e.Status switch
        {
            404 or 410 => MoneyKitLinkStates.Deleted,
            422 => MoneyKitLinkStates.Error,
            _ => state.State,
        };
        var errorCode = e.Status == 422 ? e.LinkErrorCode ?? e.ErrorCode : state.ErrorCode;
        await CommitAsync(state, owner, s => s with { State = linkState, ErrorCode = errorCode, SyncBlockedBy = e.ErrorCode ?? "link_error" }, CancellationToken.None);
        var outcome = new SyncOutcome(SyncStatus.LinkError, progress.Pages, progress.Created, progress.Updated, progress.Removed, 0, e.ErrorCode);
        await RecordHistoryAsync(LinkRows.Partition(state.LinkId), trigger, started, outcome, e.RequestId, CancellationToken.None);
        logger.LogWarning("Sync of link {LinkId} stopped: MoneyKit answered {Status} {ErrorCode} (request {RequestId})", state.LinkId, e.Status, e.ErrorCode, e.RequestId);
        return outcome;
    }

    /// <summary>MoneyKit unavailable or limiting: nothing is recorded but the history; the next run resumes from the stored cursor.</summary>
    private async Task<SyncOutcome> FailAsync(LinkState state, SyncTrigger trigger, DateTimeOffset started, PageProgress progress, MoneyKitException e)
    {
        var outcome = new SyncOutcome(SyncStatus.Failed, progress.Pages, progress.Created, progress.Updated, progress.Removed, 0, e.ErrorCode ?? e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await RecordHistoryAsync(LinkRows.Partition(state.LinkId), trigger, started, outcome, e.RequestId, CancellationToken.None);
        logger.LogWarning("Sync of link {LinkId} failed: MoneyKit answered {Status} {ErrorCode} (request {RequestId}); will resume from the stored cursor", state.LinkId, e.Status, e.ErrorCode, e.RequestId);
        return outcome;
    }

    private async Task<bool> RefreshAccountsAsync(LinkState state, string partition, long generation, CancellationToken cancellationToken)
    {
        try
        {
            var response = await moneyKit.GetAccountsAsync(state.LinkId, cancellationToken);
            await WriteBatchesAsync(response.Accounts.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, AccountRow.From(a).ToEntity(partition, generation))), cancellationToken);
            await ReachedAsync(SyncCheckpoint.AccountsWritten);
            return true;
        }
        catch (MoneyKitException e) when (e.Status is 403 or 429)
        {
            // Accounts not granted, or read-limited: keep the last snapshot.
            return false;
        }
    }

    /// <summary>
    /// Renews the lease before data is written when half of it has run out (a slow MoneyKit, a stalled process), so a run
    /// that lost its lease to another instance stops before writing rows with a feed sequence the other run may already
    /// have committed past. Costs nothing while pages come quickly (every page commit renews the lease).
    /// </summary>
    private async Task<LinkState> KeepLeaseAsync(LinkState state, string owner, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return state.LeaseUntil is { } until && now < until - options.LeaseDuration / 2
            ? state
            : await CommitAsync(state, owner, s => s with { LeaseUntil = now + options.LeaseDuration }, cancellationToken);
    }

    private async Task<LinkState> CommitAsync(LinkState state, string owner, Func<LinkState, LinkState> change, CancellationToken cancellationToken)
    {
        var next = change(state);
        var stored = await states.TryReplaceAsync(next, cancellationToken);
        if (stored is not null)
        {
            return stored;
        }

        // Someone else wrote the row (a "sync again" mark, a webhook state change): merge our change into theirs.
        var result = await states.UpdateAsync(state.LinkId, current => current.LeaseOwner == owner ? change(current) : null, cancellationToken);
        return result ?? throw new SyncLeaseLostException(state.LinkId);
    }

    private async Task WriteBatchesAsync(IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        var batches = actions.Chunk(100).ToList();
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelBatches, CancellationToken = cancellationToken },
            async (batch, ct) =>
            {
                try
                {
                    await tables.Links.SubmitCheckedAsync(batch, ct);
                }
                catch (TableTransactionFailedException e) when (e.Status == 409)
                {
                    // Inserted by an earlier, interrupted run: nothing of this batch was applied; upsert it instead.
                    await tables.Links.SubmitCheckedAsync(
                        batch.Select(a => a.ActionType == TableTransactionActionType.Add ? new TableTransactionAction(TableTransactionActionType.UpsertReplace, a.Entity) : a),
                        ct);
                }

                await ReachedAsync(SyncCheckpoint.BatchWritten);
            });
    }

    private async Task DeleteRowsAsync(string partition, IEnumerable<string> rowKeys, CancellationToken cancellationToken)
    {
        // One by one: a delete of an absent row fails a whole batch, and after a crash some may be gone already.
        await Parallel.ForEachAsync(
            rowKeys,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelBatches * 2, CancellationToken = cancellationToken },
            async (rowKey, ct) => await tables.Links.DeleteEntityAsync(partition, rowKey, ETag.All, ct));
    }

    /// <summary>
    /// Turns the pending rows of older refreshes into tombstones at feed sequence <paramref name="seq"/>: MoneyKit never
    /// lists replaced pending transactions as removed, the bridge's feed does.
    /// </summary>
    private async Task<int> ReplacePendingAsync(string partition, long generation, DateTimeOffset refreshedAt, long seq, CancellationToken cancellationToken)
    {
        var stale = new List<string>();
        await foreach (var row in tables.Links.QueryAsync<TableEntity>(TransactionRow.PendingFilter(partition, generation), select: [TransactionRow.TransactionIdColumn, TransactionRow.RefreshMarkColumn], cancellationToken: cancellationToken))
        {
            var pending = TransactionRow.FromEntity(row);
            if (pending.RefreshMark != refreshedAt)
            {
                stale.Add(pending.TransactionId);
            }
        }

        var removedAt = time.GetUtcNow();
        await WriteBatchesAsync(stale.Select(id => new TableTransactionAction(TableTransactionActionType.UpsertMerge, TransactionRow.Tombstone(partition, id, seq, removedAt, generation))), cancellationToken);
        return stale.Count;
    }

    /// <summary>
    /// Deletes committed tombstones older than the retention. The feed horizon (the highest sequence purged) is committed
    /// before the rows go, so a crash in between leaves a horizon that already refuses the cursors that miss them.
    /// </summary>
    private async Task<LinkState> PurgeTombstonesAsync(LinkState state, string owner, string partition, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var cutoff = now - options.TombstoneRetention;
        var expired = new List<string>();
        var horizon = state.FeedHorizon;
        var columns = new[] { "RowKey", TransactionRow.ChangeSeqColumn, TransactionRow.RemovedAtColumn };
        await foreach (var row in tables.Links.QueryAsync<TableEntity>(TransactionRow.TombstoneFilter(partition, state.Generation), select: columns, cancellationToken: cancellationToken))
        {
            var seq = row.GetInt64(TransactionRow.ChangeSeqColumn) ?? 0;
            if (seq <= state.FeedSequence && row.GetDateTimeOffset(TransactionRow.RemovedAtColumn) is { } removedAt && removedAt < cutoff)
            {
                expired.Add(row.RowKey);
                horizon = Math.Max(horizon, seq);
            }
        }

        state = await CommitAsync(state, owner, s => s with { FeedHorizon = Math.Max(s.FeedHorizon, horizon), TombstonesPurgedAt = now }, cancellationToken);
        await DeleteRowsAsync(partition, expired, cancellationToken);
        if (expired.Count > 0)
        {
            LogTombstonesPurged(logger, expired.Count, state.LinkId, options.TombstoneRetention);
        }

        return state;
    }

    private async Task RecordHistoryAsync(string partition, SyncTrigger trigger, DateTimeOffset started, SyncOutcome outcome, string? requestId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var row = new SyncHistoryRow(
            trigger.ToString(), started, now, outcome.Pages, outcome.Created, outcome.Updated, outcome.Removed, outcome.PendingReplaced, outcome.Status.ToString(), outcome.Error, requestId);
        await tables.Links.UpsertCheckedAsync(row.ToEntity(partition), TableUpdateMode.Replace, cancellationToken);

        var old = new List<string>();
        var seen = 0;
        await foreach (var history in tables.Links.QueryAsync<TableEntity>(LinkRows.KindFilter(partition, LinkRows.SyncHistoryPrefix), select: ["RowKey", SyncHistoryRow.OutcomeColumn], cancellationToken: cancellationToken))
        {
            if (++seen > options.MaxHistory)
            {
                old.Add(history.RowKey);
            }
        }

        await DeleteRowsAsync(partition, old, cancellationToken);
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Information, Message = "Purged {Count} tombstones of link {LinkId} older than {Retention}")]
    private static partial void LogTombstonesPurged(ILogger logger, int count, string linkId, TimeSpan retention);

    private async ValueTask ReachedAsync(SyncCheckpoint checkpoint)
    {
        if (Checkpoint is { } hook)
        {
            await hook(checkpoint);
        }
    }
}

/// <summary>The sync lease was taken over (it expired while this run was stalled); this run stops without committing.</summary>
public sealed class SyncLeaseLostException(string linkId)
    : Exception($"The sync lease of link {linkId} was lost; another run owns it now.");

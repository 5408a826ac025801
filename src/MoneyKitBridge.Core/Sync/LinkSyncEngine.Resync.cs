using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Sync;

/// <summary>
/// The full resync of a link: MoneyKit's feed walked from an empty cursor into the next generation of the snapshot
/// (rows under their own key prefixes in the link's partition) while the serving generation keeps answering reads
/// and the change feed, then one ETag-guarded write of the state row that switches <see cref="LinkState.Generation"/>
/// and retires the old generation, whose rows are purged once no reader can still be reading them.
/// Crash safety: the walk's progress (<see cref="LinkState.ResyncCursor"/>, <see cref="LinkState.ResyncSequence"/>) is
/// committed after each page's rows, so the next run resumes it; a walk restarted from an empty cursor first purges
/// the target generation; until the switch every read sees the old generation, from the switch on the new one.
/// </summary>
public sealed partial class LinkSyncEngine
{
    /// <summary>Restarts from an empty cursor within one run when MoneyKit rejects the walk's own cursor.</summary>
    private const int MaxResyncRestarts = 2;

    /// <summary>MoneyKit no longer accepts the cursor the request carried (it answers 422 <c>validation_failed</c>).</summary>
    private static bool IsCursorRejection(MoneyKitException e) =>
        e.Status == 422 && e.ErrorCode == MoneyKitErrorCodes.ValidationFailed;

    private async Task<(SyncOutcome Outcome, LinkState State)> RunResyncAsync(LinkState state, string owner, SyncTrigger trigger, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var partition = LinkRows.Partition(state.LinkId);
        var target = state.Generation + 1;
        var progress = new PageProgress();
        MoneyKitLink? lastLink = null;
        DateTimeOffset? lastLinkStateSeen = null; // the state row's StateChangedAt when the page carrying lastLink was requested
        var restarts = 0;
        try
        {
            state = await PurgeRetiredGenerationsAsync(state, owner, partition, cancellationToken);
            if (state.ResyncCursor is null)
            {
                // A fresh walk: whatever an abandoned walk left in the target generation is not part of it.
                await PurgeGenerationAsync(partition, target, cancellationToken);
                var reserved = state.ResyncBase > 0 ? state.ResyncBase : state.FeedSequence + 1;
                state = await CommitAsync(state, owner, s => s with
                {
                    ResyncGeneration = target,
                    ResyncBase = reserved,
                    ResyncSequence = reserved,
                    ResyncRefreshedAt = null,
                    LeaseUntil = time.GetUtcNow() + options.LeaseDuration,
                }, cancellationToken);
                LogResyncStarted(logger, state.LinkId, target, state.ResyncReason);
            }

            var hasMore = state.Link?.Products is not { Transactions: null };
            while (hasMore)
            {
                MoneyKitTransactionSyncResponse page;
                var requestedWith = state.StateChangedAt;
                try
                {
                    page = await moneyKit.SyncTransactionsAsync(state.LinkId, state.ResyncCursor, options.PageSize, cancellationToken);
                }
                catch (MoneyKitException e) when (e.Status == 403 && e.ErrorCode == MoneyKitErrorCodes.LinkForbiddenAction)
                {
                    break;
                }
                catch (MoneyKitException e) when (IsCursorRejection(e) && state.ResyncCursor is not null && restarts < MaxResyncRestarts)
                {
                    // The walk's own cursor expired: start it over. The reset is committed before the purge, so a crash
                    // in between leaves a fresh walk that purges again.
                    restarts++;
                    state = await CommitAsync(state, owner, s => s with { ResyncCursor = null, ResyncSequence = s.ResyncBase, ResyncRefreshedAt = null }, cancellationToken);
                    await PurgeGenerationAsync(partition, target, cancellationToken);
                    progress.AccountsWritten = null;
                    progress.AccountsSeen = false;
                    continue;
                }

                var refreshedAt = page.Link?.Products?.Transactions?.RefreshedAt ?? state.ResyncRefreshedAt;
                var seq = state.ResyncSequence + 1;
                state = await KeepLeaseAsync(state, owner, cancellationToken);
                await ApplyPageAsync(page, partition, target, seq, refreshedAt, progress, cancellationToken);
                if (page.Link is not null)
                {
                    (lastLink, lastLinkStateSeen) = (page.Link, requestedWith);
                }

                // The walk's progress only after the page's data; the serving generation's version, feed and cursor stay.
                state = await CommitAsync(state, owner, s => s with
                {
                    ResyncCursor = page.Cursor.Next ?? s.ResyncCursor,
                    ResyncSequence = seq,
                    ResyncRefreshedAt = refreshedAt,
                    LeaseUntil = time.GetUtcNow() + options.LeaseDuration,
                }, cancellationToken);
                await ReachedAsync(SyncCheckpoint.ResyncPageCommitted);
                hasMore = page.HasMore;
            }

            if (!progress.AccountsSeen && !await RefreshAccountsAsync(state, partition, target, cancellationToken))
            {
                await CopyAccountsAsync(partition, state.Generation, target, cancellationToken);
            }

            await products.FetchDueAsync(state, cancellationToken);

            var finalSeq = state.ResyncSequence;
            var pendingReplaced = 0;
            if (state.ResyncRefreshedAt is { } refreshed)
            {
                // Pending rows of a refresh older than the walk's last page (a refresh that landed mid-walk) are stale.
                finalSeq++;
                state = await KeepLeaseAsync(state, owner, cancellationToken);
                pendingReplaced = await ReplacePendingAsync(partition, target, refreshed, finalSeq, cancellationToken);
                await ReachedAsync(SyncCheckpoint.PendingReplaced);
            }

            await ReachedAsync(SyncCheckpoint.GenerationBuilt);
            state = await SwitchAsync(state, owner, target, finalSeq, lastLink, lastLinkStateSeen, cancellationToken);
            await ReachedAsync(SyncCheckpoint.GenerationSwitched);

            state = await PurgeRetiredGenerationsAsync(state, owner, partition, cancellationToken);
            await LinkIndex.UpsertFromStateAsync(tables, state, cancellationToken);
            var outcome = new SyncOutcome(SyncStatus.Completed, progress.Pages, progress.Created, progress.Updated, progress.Removed, pendingReplaced);
            await RecordHistoryAsync(partition, trigger, started, outcome, null, cancellationToken);
            return (outcome, state);
        }
        catch (MoneyKitException e) when (e.Status is 403 or 404 or 410 or 422)
        {
            return (await StopForLinkErrorAsync(state, owner, trigger, started, progress, e), state);
        }
        catch (MoneyKitException e)
        {
            return (await FailAsync(state, trigger, started, progress, e), state);
        }
    }

    /// <summary>
    /// The switch: one ETag-guarded write of the state row makes <paramref name="target"/> the serving generation, with
    /// the walk's cursor, a new snapshot version (readers reload) and a feed horizon at the sequence reserved when the
    /// walk began (every feed cursor of the old generation is refused as expired), and retires the old generation.
    /// </summary>
    private async Task<LinkState> SwitchAsync(LinkState state, string owner, long target, long feedSequence, MoneyKitLink? link, DateTimeOffset? stateSeen, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var retired = state.Generation;
        var switched = await CommitAsync(state, owner, s => s.WithSyncedLink(link, stateSeen) with
        {
            Generation = target,
            Cursor = s.ResyncCursor ?? s.Cursor,
            Version = s.Version + 1,
            FeedSequence = feedSequence,
            FeedHorizon = Math.Max(s.FeedHorizon, s.ResyncBase),
            HasData = true,
            TransactionsRefreshedAt = s.ResyncRefreshedAt ?? s.TransactionsRefreshedAt,
            PendingRefreshedAt = s.ResyncRefreshedAt ?? s.PendingRefreshedAt,
            LastSyncAt = now,
            TombstonesPurgedAt = now,
            RetiredFrom = s.RetiredFrom ?? s.Generation,
            RetiredAt = now,
            ResyncGeneration = null,
            ResyncReason = null,
            ResyncCursor = null,
            ResyncBase = 0,
            ResyncSequence = 0,
            ResyncRefreshedAt = null,
            LeaseUntil = now + options.LeaseDuration,
        }, cancellationToken);
        LogGenerationSwitched(logger, state.LinkId, retired, target, state.ResyncReason);
        return switched;
    }

    /// <summary>
    /// Purges the generations a switch retired, once <see cref="SyncOptions.RetiredGenerationGrace"/> has passed since
    /// (a reader of another instance may still hold a state row copy naming the old generation and be reading its rows).
    /// The rows go first, then the mark: a crash in between purges again (deletes of absent rows are no-ops).
    /// </summary>
    private async Task<LinkState> PurgeRetiredGenerationsAsync(LinkState state, string owner, string partition, CancellationToken cancellationToken)
    {
        if (state.RetiredFrom is not { } from || (state.RetiredAt is { } at && time.GetUtcNow() - at < options.RetiredGenerationGrace))
        {
            return state;
        }

        var rows = 0;
        for (var generation = from; generation < state.Generation; generation++)
        {
            rows += await PurgeGenerationAsync(partition, generation, cancellationToken);
        }

        await ReachedAsync(SyncCheckpoint.GenerationPurged);
        state = await CommitAsync(state, owner, s => s with { RetiredFrom = null, RetiredAt = null }, cancellationToken);
        LogGenerationsPurged(logger, state.LinkId, from, state.Generation - 1, rows);
        return state;
    }

    /// <summary>Deletes every account and transaction row of one generation; idempotent. Returns how many rows were found.</summary>
    private async Task<int> PurgeGenerationAsync(string partition, long generation, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        foreach (var prefix in new[] { LinkRows.AccountPrefixOf(generation), LinkRows.TransactionPrefixOf(generation) })
        {
            await foreach (var row in tables.Links.QueryAsync<TableEntity>(LinkRows.KindFilter(partition, prefix), select: ["RowKey"], cancellationToken: cancellationToken))
            {
                keys.Add(row.RowKey);
            }
        }

        await Parallel.ForEachAsync(
            keys.Chunk(100),
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelBatches, CancellationToken = cancellationToken },
            async (chunk, ct) =>
            {
                try
                {
                    await tables.Links.SubmitCheckedAsync(chunk.Select(rk => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, rk), ETag.All)), ct);
                }
                catch (TableTransactionFailedException e) when (e.Status == 404)
                {
                    // Some rows were deleted already (a purge interrupted by a crash): one by one, absent rows are no error.
                    foreach (var rowKey in chunk)
                    {
                        await tables.Links.DeleteEntityAsync(partition, rowKey, ETag.All, ct);
                    }
                }
            });
        return keys.Count;
    }

    /// <summary>Accounts MoneyKit would not list now (not granted, read-limited): the new generation keeps the last known ones.</summary>
    private async Task CopyAccountsAsync(string partition, long from, long to, CancellationToken cancellationToken)
    {
        var existing = tables.Links.QueryAsync<TableEntity>(LinkRows.KindFilter(partition, LinkRows.AccountPrefixOf(to)), maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken);
        await foreach (var _ in existing)
        {
            return;
        }

        var rows = new List<AccountRow>();
        await foreach (var row in tables.Links.QueryAsync<TableEntity>(LinkRows.KindFilter(partition, LinkRows.AccountPrefixOf(from)), cancellationToken: cancellationToken))
        {
            rows.Add(AccountRow.FromEntity(row));
        }

        await WriteBatchesAsync(rows.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, a.ToEntity(partition, to))), cancellationToken);
    }

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "MoneyKit rejected the stored cursor of link {LinkId} (request {RequestId}); resyncing it into generation {Generation}")]
    private static partial void LogCursorRejected(ILogger logger, string linkId, string? requestId, long generation);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Information, Message = "Full resync of link {LinkId} into generation {Generation} started ({Reason})")]
    private static partial void LogResyncStarted(ILogger logger, string linkId, long generation, string? reason);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Information, Message = "Link {LinkId} switched from generation {Retired} to {Generation} ({Reason})")]
    private static partial void LogGenerationSwitched(ILogger logger, string linkId, long retired, long generation, string? reason);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Information, Message = "Link {LinkId}: generations {From}..{To} purged ({Rows} rows)")]
    private static partial void LogGenerationsPurged(ILogger logger, string linkId, long from, long to, int rows);
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Reconciliation;

/// <summary>
/// The <c>Reconcile</c> timer job: compares the bridge's store with MoneyKit in cycles of two walks.
/// <list type="number">
/// <item>MoneyKit's <c>GET /links</c>, page by page: a link the bridge never stored is adopted for the customer user
/// tagged on it, or reported (<see cref="ReconcileOptions.AdoptUnknownLinks"/>).</item>
/// <item>The bridge's own links (the link index, in key order): each is read with <c>GET /links/{id}</c>
/// (MoneyKit's list carries no state) — gone is tombstoned, a different state is corrected.</item>
/// </list>
/// Bounded per run (pages, links, wall time) and resumable: the position is saved in <see cref="ReconcileProgress"/>
/// after every page, and the next run, on any instance, continues from it. One run at a time holds the walk (an
/// ETag-guarded lease on that row that every save renews); every step is idempotent, so a crashed run's page is
/// simply done again.
/// </summary>
public sealed class ReconcileLinksJob
{
    private readonly BridgeTables tables;
    private readonly MoneyKitClient moneyKit;
    private readonly TimeProvider time;
    private readonly ILogger<ReconcileLinksJob> logger;
    private readonly ReconcileOptions settings;
    private readonly LinkReconciler reconciler;

    public ReconcileLinksJob(
        BridgeTables tables,
        LinkStateStore states,
        LinkLifecycle lifecycle,
        MoneyKitClient moneyKit,
        BackgroundSyncScheduler syncs,
        IOptions<ReconcileOptions> options,
        TimeProvider time,
        ILogger<ReconcileLinksJob> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.tables = tables;
        this.moneyKit = moneyKit;
        this.time = time;
        this.logger = logger;
        settings = options.Value;
        reconciler = new LinkReconciler(states, lifecycle, moneyKit, syncs, time, logger, settings.AdoptUnknownLinks);
    }

    /// <summary>Runs once: claims the walk, moves it within the budget, releases it, then waits for the first syncs of adopted links.</summary>
    public async Task<ReconcileRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var run = new ReconcileRun(Guid.NewGuid().ToString("N"), time.GetTimestamp());
        var progress = await ClaimAsync(run.Id, cancellationToken);
        if (progress.Status is { } status)
        {
            return new ReconcileRunResult(status, progress.Row.Cycle);
        }

        var current = progress.Row;
        try
        {
            while (current.Phase != ReconcilePhase.Idle && !run.LeaseLost)
            {
                if (run.Pages >= settings.MaxPagesPerRun || run.Links >= settings.MaxLinksPerRun || time.GetElapsedTime(run.StartedAt) > settings.Budget)
                {
                    run.StoppedEarly = true;
                    break;
                }

                var limit = Math.Min(settings.PageSize, settings.MaxLinksPerRun - run.Links);
                var next = current.Phase == ReconcilePhase.Listing
                    ? await ListingPageAsync(run, current, limit, cancellationToken)
                    : await VerifyBatchAsync(run, current, limit, cancellationToken);
                if (next is null)
                {
                    break; // stopped (MoneyKit refused); the saved position stands
                }

                current = await SaveAsync(run, current, next, cancellationToken) ?? current;
                if (run.Halted)
                {
                    break;
                }
            }
        }
        finally
        {
            if (!run.LeaseLost)
            {
                await ReleaseAsync(current);
            }
        }

        await Task.WhenAll(run.FirstSyncs);
        return run.Result(current.Cycle);
    }

    /// <summary>The row claimed for this run, or why the run does nothing (another holds it; the last cycle is too recent).</summary>
    private async Task<(ReconcileProgress Row, ReconcileRunStatus? Status)> ClaimAsync(string runId, CancellationToken cancellationToken)
    {
        var row = await ReconcileProgress.GetOrCreateAsync(tables, cancellationToken);
        var now = time.GetUtcNow();
        if (row.IsLeasedToOther(runId, now))
        {
            return (row, ReconcileRunStatus.Busy);
        }

        if (row.Phase == ReconcilePhase.Idle && row.CycleCompletedAt is { } completed && now - completed < settings.MinCycleInterval)
        {
            return (row, ReconcileRunStatus.NotDue);
        }

        var claimed = row with { LeaseOwner = runId, LeaseUntil = now + settings.LeaseDuration };
        if (row.Phase == ReconcilePhase.Idle)
        {
            claimed = claimed with { Phase = ReconcilePhase.Listing, Cycle = row.Cycle + 1, CycleStartedAt = now, ListingCursor = null, VerifyAfter = null };
        }

        var stored = await ReconcileProgress.TryReplaceAsync(tables, claimed, row, cancellationToken);
        return stored is null ? (row, ReconcileRunStatus.Busy) : (stored, null);
    }

    /// <summary>One page of MoneyKit's list; the position after it, or null when MoneyKit refused (the run stops).</summary>
    private async Task<ReconcileProgress?> ListingPageAsync(ReconcileRun run, ReconcileProgress current, int limit, CancellationToken cancellationToken)
    {
        MoneyKitLinksPage page;
        try
        {
            page = await moneyKit.ListLinksAsync(current.ListingCursor, limit, cancellationToken);
        }
        catch (MoneyKitException e) when (current.ListingCursor is not null && e.Status is 400 or 404 or 410 or 422)
        {
            ReconcileLog.CursorRefused(logger, e.Status, e.ErrorCode);
            run.Pages++;
            return current with { ListingCursor = null };
        }
        catch (MoneyKitException e)
        {
            return Stop(run, e);
        }

        run.Pages++;
        foreach (var listed in page.Links)
        {
            try
            {
                run.Count(await reconciler.CheckListedAsync(listed.LinkId, run.FirstSyncs, cancellationToken), listing: true);
            }
            catch (MoneyKitException e)
            {
                return Stop(run, e); // the page is done again next run (every step is idempotent)
            }
        }

        return page.HasMore
            ? current with { ListingCursor = page.NextCursor }
            : current with { Phase = ReconcilePhase.Verifying, ListingCursor = null, VerifyAfter = null };
    }

    /// <summary>One batch of the bridge's links, in index key order; the position after it, or null when MoneyKit refused before any was checked.</summary>
    private async Task<ReconcileProgress?> VerifyBatchAsync(ReconcileRun run, ReconcileProgress current, int limit, CancellationToken cancellationToken)
    {
        var rows = await LinkIndex.QueryAsync(tables, $"RowKey gt {current.VerifyAfter ?? string.Empty}", limit, cancellationToken);
        run.Pages++;
        var after = current.VerifyAfter;
        foreach (var row in rows)
        {
            try
            {
                run.Count(await reconciler.VerifyAsync(row.LinkId, cancellationToken), listing: false);
            }
            catch (MoneyKitException e)
            {
                Stop(run, e);
                return after == current.VerifyAfter ? null : current with { VerifyAfter = after };
            }

            after = LinkRows.Partition(row.LinkId);
            if (run.Tombstoned >= settings.MaxTombstonesPerRun)
            {
                ReconcileLog.TooManyTombstones(logger, run.Tombstoned);
                run.StoppedEarly = true;
                run.Halted = true;
                return current with { VerifyAfter = after };
            }
        }

        return rows.Count < limit
            ? current with { Phase = ReconcilePhase.Idle, VerifyAfter = null, CycleCompletedAt = time.GetUtcNow() }
            : current with { VerifyAfter = after };
    }

    /// <summary>Saves the position and renews the lease; null (and the run stops) when another run took the walk over.</summary>
    private async Task<ReconcileProgress?> SaveAsync(ReconcileRun run, ReconcileProgress current, ReconcileProgress next, CancellationToken cancellationToken)
    {
        var stored = await ReconcileProgress.TryReplaceAsync(tables, next with { LeaseUntil = time.GetUtcNow() + settings.LeaseDuration }, current, cancellationToken);
        if (stored is null)
        {
            run.LeaseLost = true;
            ReconcileLog.LeaseLost(logger);
            return null;
        }

        if (stored.Phase == ReconcilePhase.Idle)
        {
            run.CycleCompleted = true;
            ReconcileLog.CycleCompleted(logger, stored.Cycle);
        }

        return stored;
    }

    /// <summary>Gives the walk up for the next run; when storage fails here the lease simply expires.</summary>
    private async Task ReleaseAsync(ReconcileProgress current)
    {
        try
        {
            await ReconcileProgress.TryReplaceAsync(tables, current with { LeaseOwner = null, LeaseUntil = null }, current, CancellationToken.None);
        }
        catch (Exception e) when (StorageErrors.IsOutage(e, CancellationToken.None))
        {
            ReconcileLog.ReleaseFailed(logger, e.GetType().Name);
        }
    }

    private ReconcileProgress? Stop(ReconcileRun run, MoneyKitException e)
    {
        ReconcileLog.Stopped(logger, e.Status, e.ErrorCode);
        run.StoppedEarly = true;
        run.Halted = true;
        return null;
    }
}

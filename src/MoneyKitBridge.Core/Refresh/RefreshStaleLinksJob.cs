using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Telemetry;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Refresh;

/// <summary>What one timer run did.</summary>
public sealed record RefreshRunResult(int Due, int Refreshed, int RateLimited, int Skipped, int Reconciled, int Synced, bool StoppedEarly);

/// <summary>
/// The <c>RefreshStaleLinks</c> timer job. Finds connected links whose transactions are older than the staleness
/// threshold through the link index, claims each with an ETag (so overlapping runs never refresh a link twice),
/// asks MoneyKit to refresh within its limits (<see cref="RefreshLimits"/>, and records what MoneyKit accepted so the
/// on-demand route counts it too), and syncs links whose refresh completed upstream but whose webhook
/// never arrived. Bounded concurrency, count and wall-time budget; a 429 stops new refreshes for the run.
/// </summary>
public sealed class RefreshStaleLinksJob(
    BridgeTables tables,
    LinkStateStore states,
    MoneyKitClient moneyKit,
    LinkSyncEngine engine,
    IOptions<RefreshOptions> options,
    TimeProvider time,
    ILogger<RefreshStaleLinksJob> logger)
{
    private static readonly string[] RefreshableProducts = ["transactions", "accounts"];
    private readonly RefreshOptions settings = options.Value;

    public async Task<RefreshRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        int refreshed = 0, rateLimited = 0, skipped = 0, reconciled = 0, synced = 0;
        var stop = false;

        var due = await FindDueAsync(now, cancellationToken);
        using var gate = new SemaphoreSlim(settings.MaxConcurrency);
        var work = due.Select(async row =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                if (Volatile.Read(ref stop) || time.GetElapsedTime(started) > settings.Budget)
                {
                    Volatile.Write(ref stop, true);
                    Interlocked.Increment(ref skipped);
                    return;
                }

                switch (await RefreshOneAsync(row, cancellationToken))
                {
                    case RefreshAttempt.Requested:
                        Interlocked.Increment(ref refreshed);
                        BridgeTelemetry.RefreshRequested(BridgeTelemetry.RefreshSourceTimer, BridgeTelemetry.RefreshAccepted);
                        break;
                    case RefreshAttempt.RateLimited:
                        Interlocked.Increment(ref rateLimited);
                        BridgeTelemetry.RefreshRequested(BridgeTelemetry.RefreshSourceTimer, BridgeTelemetry.RefreshThrottled);
                        Volatile.Write(ref stop, true);
                        break;
                    default:
                        Interlocked.Increment(ref skipped);
                        BridgeTelemetry.RefreshRequested(BridgeTelemetry.RefreshSourceTimer, BridgeTelemetry.RefreshSkipped);
                        break;
                }
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(work);

        // Lost webhooks: refreshes requested earlier (by this or another run) that completed upstream but were never synced.
        // Not even looked for once the budget is spent (the next run does it).
        var budgetSpent = time.GetElapsedTime(started) > settings.Budget;
        stop |= budgetSpent;
        foreach (var row in budgetSpent ? [] : await FindAwaitingAsync(time.GetUtcNow(), cancellationToken))
        {
            if (time.GetElapsedTime(started) > settings.Budget)
            {
                stop = true;
                break;
            }

            reconciled++;
            if (await ReconcileOneAsync(row, cancellationToken))
            {
                synced++;
            }
        }

        var result = new RefreshRunResult(due.Count, refreshed, rateLimited, skipped, reconciled, synced, stop);
        BridgeTelemetry.RefreshRunEnded(time.GetElapsedTime(started), settings.Budget);
        logger.LogInformation("RefreshStaleLinks: {Result}", result);
        return result;
    }

    private async Task<List<LinkIndexRow>> FindDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await LinkIndex.QueryAsync(
            tables,
            $"State eq {MoneyKitLinkStates.Connected} and TransactionsRefreshedAt le {now - settings.StaleAfter} and NotBefore le {now}",
            int.MaxValue,
            cancellationToken);

        // Stalest first, and never more than the run may do.
        return rows.OrderBy(r => r.TransactionsRefreshedAt).Take(settings.MaxLinksPerRun).ToList();
    }

    private Task<List<LinkIndexRow>> FindAwaitingAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        LinkIndex.QueryAsync(tables, $"AwaitingRefresh eq {true} and RefreshRequestedAt le {now - settings.ReconcileAfter}", settings.MaxLinksPerRun, cancellationToken);

    private enum RefreshAttempt
    {
        Requested,
        RateLimited,
        Skipped,
    }

    private async Task<RefreshAttempt> RefreshOneAsync(LinkIndexRow row, CancellationToken cancellationToken)
    {
        var linkId = row.LinkId;
        var now = time.GetUtcNow();

        // MoneyKit would refuse (an on-demand refresh was accepted within its limit): leave the link for a later run.
        if (RefreshLimits.WaitBefore(RefreshableProducts, p => LinkIndex.LastAcceptedRefresh(row, p), now) > TimeSpan.Zero)
        {
            return RefreshAttempt.Skipped;
        }

        // Claim: only the run whose ETag-guarded write lands refreshes the link. The claim also takes the products'
        // refresh limit (LinkIndex.TryClaimRefreshAsync), so an on-demand refresh on any instance waits for it too;
        // whatever MoneyKit does not accept gives it back.
        var claimed = row.WithAcceptedRefresh(RefreshableProducts, now) with { NotBefore = now + settings.MinRefreshInterval, RefreshRequestedAt = now, AwaitingRefresh = true };
        if (await LinkIndex.TryReplaceAsync(tables, claimed, row.ETag, cancellationToken) is not { } etag)
        {
            return RefreshAttempt.Skipped;
        }

        var state = await states.GetAsync(linkId, cancellationToken);
        List<string> products = state is null || state.IsDeleted || state.SyncBlockedBy is not null || state.State != MoneyKitLinkStates.Connected ? [] : GrantedProducts(state);
        if (products.Count < RefreshableProducts.Length)
        {
            await ReleaseClaimAsync(row, RefreshableProducts.Except(products).ToList(), now);
        }

        if (products.Count == 0)
        {
            return RefreshAttempt.Skipped;
        }

        var accepted = false;
        try
        {
            if (settings.MaxJitter > TimeSpan.Zero)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * settings.MaxJitter.TotalMilliseconds), time, cancellationToken);
            }

            await moneyKit.RefreshProductsAsync(linkId, products, cancellationToken);
            accepted = true;
            await LinkIndex.RecordAcceptedRefreshAsync(tables, linkId, products, now, notBefore: null, cancellationToken);
            logger.LogInformation("Requested a refresh of {Products} for link {LinkId}", string.Join(',', products), linkId);
            return RefreshAttempt.Requested;
        }
        catch (MoneyKitException e) when (e.Status == 429)
        {
            var retryAt = time.GetUtcNow() + (e.RetryAfter ?? settings.MinRefreshInterval);
            var notBefore = retryAt > now + settings.MinRefreshInterval ? retryAt : now + settings.MinRefreshInterval;
            await LinkIndex.TryReplaceAsync(tables, claimed with { NotBefore = notBefore, AwaitingRefresh = false }, etag, cancellationToken);
            logger.LogWarning("MoneyKit rate-limited the refresh of link {LinkId} until {RetryAt}; stopping new refreshes this run", linkId, retryAt);
            return RefreshAttempt.RateLimited;
        }
        catch (MoneyKitException e)
        {
            await LinkIndex.TryReplaceAsync(tables, claimed with { AwaitingRefresh = false }, etag, cancellationToken);
            logger.LogWarning("Refresh of link {LinkId} failed: {Status} {ErrorCode} (request {RequestId})", linkId, e.Status, e.ErrorCode, e.RequestId);
            if (e.Status is 404 or 410 or 422)
            {
                await engine.SyncAsync(linkId, SyncTrigger.Timer, cancellationToken); // records the link error
            }

            return RefreshAttempt.Skipped;
        }
        finally
        {
            if (!accepted)
            {
                await ReleaseClaimAsync(row, products, now);
            }
        }
    }

    /// <summary>Gives back what this run claimed at <paramref name="at"/> for <paramref name="products"/>: MoneyKit did not accept them.</summary>
    private Task ReleaseClaimAsync(LinkIndexRow before, IReadOnlyList<string> products, DateTimeOffset at) =>
        LinkIndex.ReleaseRefreshClaimAsync(tables, before.LinkId, products, at, before.AcceptedRefreshes, CancellationToken.None);

    private async Task<bool> ReconcileOneAsync(LinkIndexRow row, CancellationToken cancellationToken)
    {
        var linkId = row.LinkId;
        var storedRefreshedAt = row.TransactionsRefreshedAt;
        try
        {
            var link = await moneyKit.GetLinkAsync(linkId, cancellationToken);
            var upstream = link.Products?.Transactions?.RefreshedAt;
            if (upstream is { } refreshedAt && refreshedAt > storedRefreshedAt)
            {
                var outcome = await engine.SyncAsync(linkId, SyncTrigger.Timer, cancellationToken);
                return outcome.Status is SyncStatus.Completed or SyncStatus.Coalesced;
            }
        }
        catch (MoneyKitException e)
        {
            logger.LogWarning("Could not check link {LinkId} for a completed refresh: {Status} {ErrorCode}", linkId, e.Status, e.ErrorCode);
        }

        if (row.RefreshRequestedAt is { } requested && time.GetUtcNow() - requested > settings.GiveUpAfter)
        {
            await LinkIndex.TryReplaceAsync(tables, row with { AwaitingRefresh = false }, row.ETag, cancellationToken);
        }

        return false;
    }

    private static List<string> GrantedProducts(LinkState state)
    {
        var products = state.Link?.Products;
        if (products is null)
        {
            return [.. RefreshableProducts];
        }

        var granted = new List<string>();
        if (products.Transactions is not null)
        {
            granted.Add("transactions");
        }

        if (products.Accounts is not null)
        {
            granted.Add("accounts");
        }

        return granted;
    }
}

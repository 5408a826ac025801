using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Telemetry;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Refresh;

/// <summary>How an on-demand refresh ended; <see cref="RetryAfter"/> is set when it was rate-limited.</summary>
/// <param name="Accepted">MoneyKit accepted the refresh.</param>
/// <param name="RetryAfter">How long to wait before asking again (refused locally or by MoneyKit).</param>
/// <param name="ByMoneyKit">True when MoneyKit itself answered 429 (the bridge's record did not predict it).</param>
public sealed record OnDemandRefreshResult(bool Accepted, TimeSpan RetryAfter = default, bool ByMoneyKit = false);

/// <summary>
/// <c>POST /links/{id}/products</c> on the bridge's side: refused locally only when MoneyKit's published per-product
/// limits (<see cref="RefreshLimits"/>) would refuse it, judged from the refreshes MoneyKit accepted through the
/// bridge (the on-demand route and the timer); anything the bridge cannot judge is forwarded and MoneyKit decides.
/// The refresh is claimed in the link's index row before MoneyKit is asked (<see cref="LinkIndex.TryClaimRefreshAsync"/>),
/// so the same refresh asked of several instances at once reaches MoneyKit once; the others are refused locally.
/// Link errors and outages surface as <see cref="MoneyKitException"/>.
/// </summary>
public sealed class OnDemandRefresh(BridgeTables tables, MoneyKitClient moneyKit, TimeProvider time)
{
    /// <summary>Fallback wait when MoneyKit answers 429 without <c>Retry-After</c>.</summary>
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromHours(1);

    /// <summary>Claims tried before giving up when the index row keeps changing under the claim.</summary>
    private const int MaxClaimAttempts = 20;

    public async Task<OnDemandRefreshResult> RequestAsync(string linkId, IReadOnlyList<string> products, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkId);
        ArgumentNullException.ThrowIfNull(products);
        var now = time.GetUtcNow();
        LinkIndexRow? claimed = null;
        LinkIndexRow? index = null;
        for (var attempt = 0; claimed is null; attempt++)
        {
            index = await LinkIndex.GetAsync(tables, linkId, cancellationToken);
            var wait = RefreshLimits.WaitBefore(products, p => LinkIndex.LastAcceptedRefresh(index, p), now);
            if (wait > TimeSpan.Zero)
            {
                BridgeTelemetry.RefreshRequested(BridgeTelemetry.RefreshSourceApi, BridgeTelemetry.RefreshLimited);
                return new OnDemandRefreshResult(false, wait);
            }

            if (index is null)
            {
                break; // no index row (not stored, or deleted): nothing to claim, MoneyKit decides
            }

            claimed = await LinkIndex.TryClaimRefreshAsync(tables, index, products, now, cancellationToken);
            if (claimed is null && attempt >= MaxClaimAttempts)
            {
                throw new InvalidOperationException($"Could not claim a refresh of link {linkId}: its index row kept changing.");
            }
        }

        var accepted = false;
        try
        {
            await moneyKit.RefreshProductsAsync(linkId, products, cancellationToken);
            accepted = true;
        }
        catch (MoneyKitException e) when (e.Status != 429)
        {
            BridgeTelemetry.RefreshRequested(BridgeTelemetry.RefreshSourceApi, BridgeTelemetry.RefreshFailed);
            throw;
        }
        catch (MoneyKitException e) when (e.Status == 429)
        {
            BridgeTelemetry.RefreshRequested(BridgeTelemetry.RefreshSourceApi, BridgeTelemetry.RefreshThrottled);
            return new OnDemandRefreshResult(false, e.RetryAfter ?? DefaultRetryAfter, ByMoneyKit: true);
        }
        finally
        {
            if (!accepted && claimed is not null)
            {
                // Not accepted (refused, failed, cancelled): give the claim back so the next request may ask again.
                await LinkIndex.ReleaseRefreshClaimAsync(tables, linkId, products, now, index!.AcceptedRefreshes, CancellationToken.None);
            }
        }

        // The timer waits for the refresh it would have made, and reconciles it if its webhook never comes.
        var refreshesTimerProducts = products.Any(p => p is "transactions" or "accounts");
        await LinkIndex.RecordAcceptedRefreshAsync(tables, linkId, products, now, refreshesTimerProducts ? now + TimeSpan.FromHours(1) : null, cancellationToken);
        BridgeTelemetry.RefreshRequested(BridgeTelemetry.RefreshSourceApi, BridgeTelemetry.RefreshAccepted);
        return new OnDemandRefreshResult(true);
    }
}

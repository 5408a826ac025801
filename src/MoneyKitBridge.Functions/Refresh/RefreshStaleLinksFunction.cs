using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Refresh;

/// <summary>
/// Worker mode: the host fires <c>RefreshStaleLinks</c> from <see cref="BridgeRoutes.RefreshStaleLinksSchedule"/>; it runs the
/// job the standalone scheduler runs from the same setting. Never an HTTP route.
/// </summary>
public sealed class RefreshStaleLinksFunction(TimerJobRunner runner)
{
    [Function(BridgeRoutes.RefreshStaleLinks)]
    public Task RunAsync([TimerTrigger(BridgeRoutes.RefreshStaleLinksSchedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        return runner.RunAsync(BridgeRoutes.RefreshStaleLinks, RefreshTimer.RunAsync, timer.IsPastDue, cancellationToken);
    }
}

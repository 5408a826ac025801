using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Reconciliation;

/// <summary>
/// Worker mode: the host fires <c>Reconcile</c> from <see cref="BridgeRoutes.ReconcileSchedule"/>; it runs the job the
/// standalone scheduler runs from the same setting. Never an HTTP route.
/// </summary>
public sealed class ReconcileFunction(TimerJobRunner runner)
{
    [Function(BridgeRoutes.Reconcile)]
    public Task RunAsync([TimerTrigger(BridgeRoutes.ReconcileSchedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        return runner.RunAsync(BridgeRoutes.Reconcile, ReconcileTimer.RunAsync, timer.IsPastDue, cancellationToken);
    }
}

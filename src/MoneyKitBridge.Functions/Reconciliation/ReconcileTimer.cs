using MoneyKitBridge.Core.Reconciliation;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Reconciliation;

/// <summary>The <c>Reconcile</c> timer function: compares the bridge's links with MoneyKit's (see <see cref="ReconcileLinksJob"/>).</summary>
public static class ReconcileTimer
{
    public const string FunctionName = BridgeRoutes.Reconcile;

    /// <summary>
    /// Standalone mode: registers the job with <see cref="TimerScheduler"/> (schedule setting <c>Reconcile__Schedule</c>).
    /// No HTTP route: only the schedule fires it.
    /// </summary>
    /// <exception cref="BridgeConfigurationException">The schedule setting is not a valid 6-field NCRONTAB expression.</exception>
    public static IHost ScheduleReconcileTimer(this IHost app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var configuration = app.Services.GetRequiredService<IConfiguration>();
        app.Services.GetRequiredService<TimerFunctionRegistry>()
            .Add(TimerFunction.FromSettings(configuration, FunctionName, new ReconcileOptions().Schedule, RunAsync));
        return app;
    }

    /// <summary>The job, as both modes run it.</summary>
    public static async Task RunAsync(TimerJobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var r = await context.Services.GetRequiredService<ReconcileLinksJob>().RunAsync(cancellationToken);
        context.Log($"status={r.Status.ToString().ToLowerInvariant()} cycle={r.Cycle} pages={r.Pages} listed={r.Listed} verified={r.Verified} adopted={r.Adopted} reported={r.Reported} tombstoned={r.Tombstoned} corrected={r.Corrected} failed={r.Failed} cycle_completed={r.CycleCompleted} stopped_early={r.StoppedEarly}");
    }
}

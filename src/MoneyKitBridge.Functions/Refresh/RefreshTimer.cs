using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Refresh;

/// <summary>The <c>RefreshStaleLinks</c> timer function: refresh planner, lost-webhook reconciliation, webhook-key purge.</summary>
public static class RefreshTimer
{
    public const string FunctionName = BridgeRoutes.RefreshStaleLinks;

    /// <summary>
    /// Standalone mode: registers the job with <see cref="TimerScheduler"/> (schedule setting <c>RefreshStaleLinks__Schedule</c>).
    /// No HTTP route: only the schedule fires it.
    /// </summary>
    /// <exception cref="BridgeConfigurationException">The schedule setting is not a valid 6-field NCRONTAB expression.</exception>
    public static IHost ScheduleRefreshTimer(this IHost app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var configuration = app.Services.GetRequiredService<IConfiguration>();
        app.Services.GetRequiredService<TimerFunctionRegistry>()
            .Add(TimerFunction.FromSettings(configuration, FunctionName, new RefreshOptions().Schedule, RunAsync));
        return app;
    }

    /// <summary>The job, as both modes run it: refresh planner and reconciliation, then the webhook-key purge.</summary>
    public static async Task RunAsync(TimerJobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var job = context.Services.GetRequiredService<RefreshStaleLinksJob>();
        var result = await job.RunAsync(cancellationToken);
        context.Log($"due={result.Due} refreshed={result.Refreshed} rate_limited={result.RateLimited} skipped={result.Skipped} reconciled={result.Reconciled} synced={result.Synced} stopped_early={result.StoppedEarly}");
        var purged = await context.Services.GetRequiredService<WebhookProcessor>().PurgeExpiredKeysAsync(cancellationToken);
        context.Log($"webhook_keys_purged={purged}");
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// Standalone only (<see cref="StandaloneOptions.RunTimer"/>): fires every registered timer function at the
/// occurrences of its schedule, driven by <see cref="TimeProvider"/>. A run that ends after the next occurrence
/// makes that next run past due; runs of one function never overlap. Nothing runs before the app has started: the
/// hosted services registered after this one (the storage start-up that creates the tables) have done their work.
/// </summary>
public sealed class TimerScheduler(
    TimerFunctionRegistry registry,
    TimerJobRunner runner,
    IOptions<StandaloneOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<TimerScheduler> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunTimer)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }

        await Task.WhenAll(registry.Functions.Select(function => RunScheduleAsync(function, stoppingToken)));
    }

    private async Task RunScheduleAsync(TimerFunction function, CancellationToken stoppingToken)
    {
        logger.LogInformation("Standalone timer {FunctionName} scheduled", function.Name);
        var next = function.Schedule.GetNextOccurrence(time.GetUtcNow().UtcDateTime);
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = new DateTimeOffset(next, TimeSpan.Zero) - time.GetUtcNow();
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, time, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }

            var now = time.GetUtcNow().UtcDateTime;
            var isPastDue = now - next >= TimeSpan.FromSeconds(1);
            try
            {
                await runner.RunAsync(function, isPastDue, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The schedule goes on after a failed run, as it does under the Functions host.
                logger.LogError(ex, "Standalone timer {FunctionName} failed", function.Name);
            }

            // Occurrences missed while the job ran collapse into one immediate, past-due run of the latest of them.
            var after = time.GetUtcNow().UtcDateTime;
            var missed = function.Schedule.GetNextOccurrences(next, after.AddTicks(1)).DefaultIfEmpty(next).Last();
            next = missed > next ? missed : function.Schedule.GetNextOccurrence(next);
        }
    }
}

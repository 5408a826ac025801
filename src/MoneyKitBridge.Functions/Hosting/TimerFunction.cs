using NCrontab;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>A timer job registered by name, with its parsed NCRONTAB (6-field) schedule.</summary>
/// <param name="Name">Function name; the schedule setting is <c>{Name}__Schedule</c>.</param>
/// <param name="Schedule">When the standalone scheduler fires the job.</param>
/// <param name="Job">The work.</param>
public sealed record TimerFunction(string Name, CrontabSchedule Schedule, Func<TimerJobContext, CancellationToken, Task> Job)
{
    /// <summary>
    /// Timer function <paramref name="name"/> on the schedule of setting <c>{name}__Schedule</c> (the one the worker's
    /// <c>[TimerTrigger]</c> reads), or <paramref name="defaultSchedule"/> when it is unset (6-field NCRONTAB with
    /// seconds, e.g. <c>0 */15 * * * *</c>).
    /// </summary>
    /// <exception cref="BridgeConfigurationException">The schedule is not a valid 6-field NCRONTAB expression.</exception>
    public static TimerFunction FromSettings(
        IConfiguration configuration, string name, string defaultSchedule, Func<TimerJobContext, CancellationToken, Task> job)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(job);
        var expression = configuration[$"{name}:Schedule"] is { Length: > 0 } configured ? configured : defaultSchedule;
        var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            ?? throw new BridgeConfigurationException(
                $"{name}__Schedule must be a 6-field NCRONTAB expression with seconds, e.g. '0 */15 * * * *' (got '{expression}').");
        return new TimerFunction(name, schedule, job);
    }
}

using NCrontab;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>A timer job registered by name, with its parsed NCRONTAB (6-field) schedule.</summary>
/// <param name="Name">Function name: the host posts to <c>/{Name}</c>; the schedule setting is <c>{Name}__Schedule</c>.</param>
/// <param name="Schedule">When the standalone scheduler fires the job.</param>
/// <param name="Job">The work.</param>
public sealed record TimerFunction(string Name, CrontabSchedule Schedule, Func<TimerJobContext, CancellationToken, Task> Job);

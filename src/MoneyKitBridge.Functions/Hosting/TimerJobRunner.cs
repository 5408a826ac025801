using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>Runs a timer job in its own service scope and collects its log lines.</summary>
public sealed class TimerJobRunner(IServiceScopeFactory scopes, TimeProvider time, ILogger<TimerJobRunner> logger)
{
    /// <summary>Runs <paramref name="function"/> once; exceptions from the job propagate to the caller.</summary>
    public Task<IReadOnlyList<string>> RunAsync(TimerFunction function, bool isPastDue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        return RunAsync(function.Name, function.Job, isPastDue, cancellationToken);
    }

    /// <summary>Runs <paramref name="job"/> once as timer function <paramref name="name"/> (worker mode: the host fired it).</summary>
    public async Task<IReadOnlyList<string>> RunAsync(
        string name, Func<TimerJobContext, CancellationToken, Task> job, bool isPastDue, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(job);
        await using var scope = scopes.CreateAsyncScope();
        var context = new TimerJobContext(name, scope.ServiceProvider, isPastDue, logger);
        var started = time.GetTimestamp();
        context.Log(isPastDue ? "started (past due)" : "started");
        await job(context, cancellationToken);
        context.Log(FormattableString.Invariant($"completed in {time.GetElapsedTime(started).TotalMilliseconds:0} ms"));
        return context.Logs;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>Runs a timer job in its own service scope and collects its log lines.</summary>
public sealed class TimerJobRunner(IServiceScopeFactory scopes, TimeProvider time, ILogger<TimerJobRunner> logger)
{
    /// <summary>Runs <paramref name="function"/> once; exceptions from the job propagate to the caller.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(TimerFunction function, bool isPastDue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        await using var scope = scopes.CreateAsyncScope();
        var context = new TimerJobContext(function.Name, scope.ServiceProvider, isPastDue, logger);
        var started = time.GetTimestamp();
        context.Log(isPastDue ? "started (past due)" : "started");
        await function.Job(context, cancellationToken);
        context.Log(FormattableString.Invariant($"completed in {time.GetElapsedTime(started).TotalMilliseconds:0} ms"));
        return context.Logs;
    }
}

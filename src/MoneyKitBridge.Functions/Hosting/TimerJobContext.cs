using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>What a timer job gets when it runs, whether the Functions host or the standalone scheduler fired it.</summary>
public sealed class TimerJobContext
{
    private readonly List<string> logs = [];
    private readonly ILogger logger;

    internal TimerJobContext(string functionName, IServiceProvider services, bool isPastDue, ILogger logger)
    {
        FunctionName = functionName;
        Services = services;
        IsPastDue = isPastDue;
        this.logger = logger;
    }

    /// <summary>The function name, e.g. <c>RefreshStaleLinks</c>.</summary>
    public string FunctionName { get; }

    /// <summary>A service scope created for this run.</summary>
    public IServiceProvider Services { get; }

    /// <summary>True when the run is later than its scheduled time.</summary>
    public bool IsPastDue { get; }

    /// <summary>The lines this run logged, in order (each also written to the app log).</summary>
    public IReadOnlyList<string> Logs => logs;

    /// <summary>Adds a log line. Never pass secrets or tokens.</summary>
    public void Log(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (logs)
        {
            logs.Add(message);
        }

        logger.LogInformation("{FunctionName}: {Message}", FunctionName, message);
    }
}

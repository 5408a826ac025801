using System.Collections.Concurrent;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>The timer functions mapped on the app; the standalone scheduler runs the same ones.</summary>
public sealed class TimerFunctionRegistry
{
    private readonly ConcurrentDictionary<string, TimerFunction> functions = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The registered functions.</summary>
    public IReadOnlyCollection<TimerFunction> Functions => [.. functions.Values];

    /// <summary>Registers a function; names are unique.</summary>
    public void Add(TimerFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (!functions.TryAdd(function.Name, function))
        {
            throw new InvalidOperationException($"Timer function '{function.Name}' is already registered.");
        }
    }
}

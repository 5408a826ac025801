using System.Diagnostics;

namespace MoneyKitBridge.Bench.Http;

/// <summary>What one measured load phase did: completed operations, failures, wall time and latency percentiles.</summary>
/// <param name="Name">Row label.</param>
/// <param name="Operations">Operations completed (successful or not).</param>
/// <param name="Errors">Operations that failed (non-2xx, wrong body, exception).</param>
/// <param name="Elapsed">Wall time of the phase.</param>
/// <param name="LatencyTicks">Sorted per-operation latencies in <see cref="Stopwatch"/> ticks.</param>
internal sealed record LoadResult(string Name, long Operations, long Errors, TimeSpan Elapsed, long[] LatencyTicks)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;

    public double P50Ms => PercentileMs(0.50);

    public double P99Ms => PercentileMs(0.99);

    /// <summary>Pools several phases of the same scenario (operations and wall time add up; percentiles over all samples).</summary>
    public static LoadResult Pool(string name, IReadOnlyList<LoadResult> parts)
    {
        var all = parts.SelectMany(p => p.LatencyTicks).ToArray();
        Array.Sort(all);
        return new LoadResult(
            name,
            parts.Sum(p => p.Operations),
            parts.Sum(p => p.Errors),
            TimeSpan.FromTicks(parts.Sum(p => p.Elapsed.Ticks)),
            all);
    }

    public double PercentileMs(double fraction)
    {
        if (LatencyTicks.Length == 0)
        {
            return double.NaN;
        }

        var index = Math.Clamp((int)Math.Ceiling(fraction * LatencyTicks.Length) - 1, 0, LatencyTicks.Length - 1);
        return LatencyTicks[index] * 1000.0 / Stopwatch.Frequency;
    }
}

/// <summary>
/// Closed-loop load: <c>concurrency</c> workers each run one operation after another until the deadline or the
/// operation budget is reached. Every operation's latency is recorded; nothing is sampled.
/// </summary>
internal static class LoadRunner
{
    /// <summary>
    /// Runs <paramref name="operation"/> (given a global operation index; returns false on failure) with
    /// <paramref name="concurrency"/> workers until <paramref name="duration"/> passed or <paramref name="maxOperations"/> started.
    /// </summary>
    public static async Task<LoadResult> RunAsync(
        string name,
        int concurrency,
        TimeSpan duration,
        long maxOperations,
        Func<long, Task<bool>> operation)
    {
        long next = -1;
        long errors = 0;
        var samples = new List<long>[concurrency];
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var mine = samples[w] = new List<long>(4096);
            workers[w] = Task.Run(async () =>
            {
                while (true)
                {
                    var index = Interlocked.Increment(ref next);
                    if (index >= maxOperations || Stopwatch.GetTimestamp() >= deadline)
                    {
                        return;
                    }

                    var began = Stopwatch.GetTimestamp();
                    bool ok;
                    try
                    {
                        ok = await operation(index);
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidOperationException or Azure.RequestFailedException)
                    {
                        ok = false;
                    }

                    mine.Add(Stopwatch.GetTimestamp() - began);
                    if (!ok)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            });
        }

        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        return new LoadResult(name, all.Length, errors, elapsed, all);
    }
}

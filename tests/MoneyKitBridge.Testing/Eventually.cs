using System.Diagnostics;
using System.Globalization;

namespace MoneyKitBridge.Testing;

/// <summary>
/// Waiting for state that code under test completes on another thread or in another process after the event a test
/// saw (a delivery logged once its answer is read, a timer armed once a task resumes, a log line flushed by another
/// process). Each wait polls the observable state until it holds or a deadline passes, then fails naming what it
/// waited for and what it last saw. Never a wait for the clock: a <see cref="TestClock"/> is driven, not waited on.
/// </summary>
public static class Eventually
{
    /// <summary>Long enough for a loaded two-core machine; a passing wait ends as soon as its state holds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>Returns once <paramref name="condition"/> holds.</summary>
    /// <exception cref="TimeoutException">It did not hold within <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>).</exception>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        await ValueAsync(() => Task.FromResult(condition()), holds => holds, what, timeout);
    }

    /// <summary>Reads <paramref name="read"/> until <paramref name="done"/> holds for the value read; returns that value.</summary>
    /// <exception cref="TimeoutException">No value read within <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>) satisfied <paramref name="done"/>; the message shows the last one.</exception>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<T, string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(done);
        var limit = timeout ?? DefaultTimeout;
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (elapsed.Elapsed >= limit)
            {
                var seen = describe is null ? value?.ToString() : describe(value);
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"Timed out after {limit.TotalSeconds:0} s waiting for {what}; last seen: {seen}"));
            }

            await Task.Delay(PollInterval);
        }
    }
}

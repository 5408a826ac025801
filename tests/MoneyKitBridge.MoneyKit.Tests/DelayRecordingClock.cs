using MoneyKitBridge.Testing;

namespace MoneyKitBridge.MoneyKit.Tests;

/// <summary>
/// A <see cref="TestClock"/> that also records every timer the code under test starts, so a test can see which
/// delay the client chose (timers equal to <see cref="IgnoredDueTime"/>, the request timeout, are not recorded).
/// </summary>
internal sealed class DelayRecordingClock(TimeSpan ignoredDueTime) : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<TimeSpan> delays = [];

    public TestClock Clock { get; } = new();

    public TimeSpan IgnoredDueTime { get; } = ignoredDueTime;

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (gate)
            {
                return [.. delays];
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override long GetTimestamp() => Clock.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Recorded once the timer is scheduled: a test that saw the delay may advance the clock at once and must
        // fire it (recorded first, an advance between the two would pass it by and the call would wait forever).
        var timer = Clock.CreateTimer(callback, state, dueTime, period);
        if (dueTime != IgnoredDueTime)
        {
            lock (gate)
            {
                delays.Add(dueTime);
            }
        }

        return timer;
    }

    public void Advance(TimeSpan by) => Clock.Advance(by);

    /// <summary>Waits until the client has scheduled its <paramref name="index"/>-th (0-based) delay and returns it.</summary>
    public async Task<TimeSpan> DelayAsync(int index)
    {
        await Eventually.TrueAsync(() => Delays.Count > index, $"delay #{index}");
        return Delays[index];
    }
}

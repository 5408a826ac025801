using Microsoft.Extensions.Time.Testing;

namespace MoneyKitBridge.Testing;

/// <summary>
/// <see cref="FakeTimeProvider"/> (time moves only when a test calls <see cref="FakeTimeProvider.Advance"/>; timers,
/// including those behind <c>Task.Delay(TimeSpan, TimeProvider, CancellationToken)</c>, fire then) with the project's
/// default start, plus the one thing FakeTimeProvider does not offer: <see cref="PendingTimers"/>, the number of armed
/// timers, so a test can wait until the code under test is waiting on the clock (a retry back-off, the timer
/// scheduler's next occurrence, the sandbox's webhook retry) before it advances time. Like FakeTimeProvider, one
/// <c>Advance</c> fires every timer that falls due within it, each callback seeing the time the advance ends at; a test
/// that needs intermediate times advances in steps.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    /// <summary>The default start: 2026-01-05 09:00 UTC.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private readonly Lock gate = new();
    private readonly HashSet<ArmedTimer> armed = [];

    /// <summary>Starts at <paramref name="start"/>, or <see cref="DefaultStart"/>.</summary>
    public TestClock(DateTimeOffset? start = null)
        : base(start ?? DefaultStart)
    {
    }

    /// <summary>Number of timers currently armed (created or changed with a finite due time, not yet fired unless periodic, not disposed).</summary>
    public int PendingTimers
    {
        get
        {
            lock (gate)
            {
                return armed.Count;
            }
        }
    }

    /// <summary>
    /// Time until the earliest armed timer falls due (zero when one is already due), or null when none is armed. Lets a
    /// test fire the timer the code under test is waiting on without also firing later ones.
    /// </summary>
    public TimeSpan? NextTimerDueIn
    {
        get
        {
            var now = GetUtcNow();
            lock (gate)
            {
                var due = armed.Min(t => t.DueAt);
                return due is { } at ? (at > now ? at - now : TimeSpan.Zero) : null;
            }
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ArmedTimer(this, period);
        timer.Track(dueTime, period);
        timer.Inner = base.CreateTimer(
            s =>
            {
                timer.Fired();
                callback(s);
            },
            state,
            dueTime,
            period);
        return timer;
    }

    private void Set(ArmedTimer timer, bool isArmed)
    {
        lock (gate)
        {
            _ = isArmed ? armed.Add(timer) : armed.Remove(timer);
        }
    }

    private sealed class ArmedTimer(TestClock clock, TimeSpan period) : ITimer
    {
        private TimeSpan period = period;

        public ITimer Inner { get; set; } = null!;

        /// <summary>When the timer fires next (null when not armed); read under the clock's gate.</summary>
        public DateTimeOffset? DueAt { get; private set; }

        public void Track(TimeSpan dueTime, TimeSpan newPeriod)
        {
            period = newPeriod;
            var isArmed = dueTime != Timeout.InfiniteTimeSpan;
            lock (clock.gate)
            {
                DueAt = isArmed ? clock.GetUtcNow() + dueTime : null;
            }

            clock.Set(this, isArmed);
        }

        public void Fired()
        {
            var periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
            lock (clock.gate)
            {
                DueAt = periodic ? clock.GetUtcNow() + period : null;
            }

            if (!periodic)
            {
                clock.Set(this, false);
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Track(dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            clock.Set(this, false);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            clock.Set(this, false);
            return Inner.DisposeAsync();
        }
    }
}

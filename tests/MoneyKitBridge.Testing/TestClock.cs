namespace MoneyKitBridge.Testing;

/// <summary>
/// A manually advanced <see cref="TimeProvider"/>: time moves only when a test calls <see cref="Advance"/>,
/// and timers (including those behind <c>Task.Delay(TimeSpan, TimeProvider, CancellationToken)</c>) fire then.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<ClockTimer> timers = [];
    private DateTimeOffset now;

    /// <summary>Starts at <paramref name="start"/>, or 2026-01-05 09:00 UTC.</summary>
    public TestClock(DateTimeOffset? start = null) =>
        now = start ?? new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>Number of timers currently scheduled (lets a test wait until code under test is waiting).</summary>
    public int PendingTimers
    {
        get
        {
            lock (gate)
            {
                return timers.Count(t => t.DueAt is not null);
            }
        }
    }

    /// <summary>
    /// Time until the earliest scheduled timer falls due (zero when one is already due), or null when none is
    /// scheduled. Lets a test fire the timer code under test is waiting on without also firing later ones.
    /// </summary>
    public TimeSpan? NextTimerDueIn
    {
        get
        {
            lock (gate)
            {
                var due = timers.Where(t => t.DueAt is not null).Min(t => t.DueAt);
                return due is { } at ? (at > now ? at - now : TimeSpan.Zero) : null;
            }
        }
    }

    /// <summary>
    /// Moves time forward and fires every timer that falls due, in order. Time never moves back: when a timer's
    /// callback (or another thread) advances the clock further while this runs, the later time stands.
    /// </summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (gate)
        {
            target = now + by;
        }

        while (true)
        {
            ClockTimer? next;
            lock (gate)
            {
                next = timers.Where(t => t.DueAt is { } due && due <= target).MinBy(t => t.DueAt);
                if (next is null)
                {
                    now = target > now ? target : now;
                    return;
                }

                now = next.DueAt!.Value > now ? next.DueAt.Value : now;
                next.DueAt = next.Period is { } period && period > TimeSpan.Zero ? now + period : null;
            }

            next.Fire();
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ClockTimer(this, callback, state);
        lock (gate)
        {
            timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    private void Schedule(ClockTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (gate)
        {
            timer.DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : now + dueTime;
            timer.Period = period == Timeout.InfiniteTimeSpan ? null : period;
        }
    }

    private void Remove(ClockTimer timer)
    {
        lock (gate)
        {
            timers.Remove(timer);
        }
    }

    private sealed class ClockTimer(TestClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan? Period { get; set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Schedule(this, dueTime, period);
            return true;
        }

        public void Dispose() => clock.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

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
        // Counted as armed only once FakeTimeProvider holds it: a test that sees the count rise and advances at once
        // must fire it, not race its registration (which would then fall due an Advance later).
        var timer = new ArmedTimer(this);
        timer.BeginArm();
        timer.Inner = base.CreateTimer(
            s =>
            {
                timer.Fired();
                callback(s);
            },
            state,
            dueTime,
            period);
        timer.EndArm(dueTime, period);
        return timer;
    }

    private void Set(ArmedTimer timer, bool isArmed)
    {
        lock (gate)
        {
            _ = isArmed ? armed.Add(timer) : armed.Remove(timer);
        }
    }

    private sealed class ArmedTimer(TestClock clock) : ITimer
    {
        private TimeSpan period = Timeout.InfiniteTimeSpan;
        private int arming;
        private bool firedWhileArming;

        public ITimer Inner { get; set; } = null!;

        /// <summary>When the timer fires next (null when not armed); read under the clock's gate.</summary>
        public DateTimeOffset? DueAt { get; private set; }

        /// <summary>Before the inner timer is (re)armed: a firing from now on belongs to the new arming.</summary>
        public void BeginArm()
        {
            lock (clock.gate)
            {
                arming++;
                firedWhileArming = false;
            }
        }

        /// <summary>After the inner timer is (re)armed: counted unless it already fired (a one-shot due at once).</summary>
        public void EndArm(TimeSpan dueTime, TimeSpan newPeriod)
        {
            lock (clock.gate)
            {
                arming--;
                period = newPeriod;
                var isArmed = dueTime != Timeout.InfiniteTimeSpan && !(firedWhileArming && !IsPeriodic);
                DueAt = isArmed ? clock.GetUtcNow() + (firedWhileArming ? period : dueTime) : null;
                clock.Set(this, isArmed);
            }
        }

        public void Fired()
        {
            lock (clock.gate)
            {
                if (arming > 0)
                {
                    firedWhileArming = true;
                    return;
                }

                DueAt = IsPeriodic ? clock.GetUtcNow() + period : null;
                if (!IsPeriodic)
                {
                    clock.Set(this, false);
                }
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            BeginArm();
            var changed = Inner.Change(dueTime, period);
            EndArm(dueTime, period);
            return changed;
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

        private bool IsPeriodic => period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
    }
}

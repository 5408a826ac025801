using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Testing;

public sealed class TestClockTests
{
    [Fact]
    public async Task Delay_completes_only_when_the_clock_passes_its_due_time()
    {
        var clock = new TestClock();
        var delay = Task.Delay(TimeSpan.FromMinutes(5), clock);

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.False(delay.IsCompleted);

        clock.Advance(TimeSpan.FromMinutes(1));
        await delay.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(delay.IsCompletedSuccessfully);
    }

    [Fact]
    public void Periodic_timer_fires_once_per_period_crossed()
    {
        var clock = new TestClock();
        var fired = new List<DateTimeOffset>();
        using var timer = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        var start = clock.GetUtcNow();

        clock.Advance(TimeSpan.FromSeconds(35));

        // FakeTimeProvider's semantics: every period crossed fires once, callbacks see the time Advance ends at.
        Assert.Equal([start.AddSeconds(35), start.AddSeconds(35), start.AddSeconds(35)], fired);
        Assert.Equal(start.AddSeconds(35), clock.GetUtcNow());
        Assert.Equal(1, clock.PendingTimers);
    }

    [Fact]
    public async Task PendingTimers_counts_armed_timers_until_they_fire_or_are_disposed()
    {
        var clock = new TestClock();
        Assert.Equal(TestClock.DefaultStart, clock.GetUtcNow());
        using var cancel = new CancellationTokenSource();

        var delay = Task.Delay(TimeSpan.FromMinutes(5), clock);
        var cancelled = Task.Delay(TimeSpan.FromMinutes(5), clock, cancel.Token);
        var idle = clock.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Assert.Equal(2, clock.PendingTimers);

        idle.Change(TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan);
        Assert.Equal(3, clock.PendingTimers);
        await cancel.CancelAsync();
        Assert.Equal(2, clock.PendingTimers);

        clock.Advance(TimeSpan.FromMinutes(5));
        await delay.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, clock.PendingTimers);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        idle.Dispose();
    }

    [Fact]
    public async Task A_timer_counted_as_pending_is_fired_by_an_advance_made_the_moment_it_is_counted()
    {
        // The sandbox's webhook retry: a test waits for the count to rise, then advances at once. A timer counted before
        // FakeTimeProvider held it would be registered after that advance and never fire. Many rounds against a spinning
        // observer make that window show if it exists; with the count raised after registration every round fires.
        const int rounds = 500;
        var missed = 0;
        for (var round = 0; round < rounds; round++)
        {
            var clock = new TestClock();
            var observer = Task.Run(() =>
            {
                while (clock.PendingTimers == 0)
                {
                    Thread.SpinWait(1);
                }

                clock.Advance(TimeSpan.FromSeconds(30));
            });
            var delay = Task.Run(() => Task.Delay(TimeSpan.FromSeconds(30), clock));
            await observer.WaitAsync(TimeSpan.FromSeconds(10));
            if (await Task.WhenAny(delay, Task.Delay(TimeSpan.FromSeconds(10))) != delay)
            {
                missed++;
            }
        }

        Assert.Equal(0, missed);
    }

    [Fact]
    public void A_one_shot_timer_due_at_once_is_not_left_counted()
    {
        var clock = new TestClock();
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.Zero);

        Assert.Equal(1, fired);
        Assert.Equal(0, clock.PendingTimers);
        Assert.Null(clock.NextTimerDueIn);
    }

    [Fact]
    public void Time_moved_on_by_a_timer_callback_is_not_taken_back_by_the_advance_that_fired_it()
    {
        // A job run by a timer that itself takes time (TimerSchedulerTests): the outer advance must not rewind it.
        var clock = new TestClock();
        var start = clock.GetUtcNow();
        using var timer = clock.CreateTimer(_ => clock.Advance(TimeSpan.FromMinutes(35)), null, TimeSpan.FromMinutes(8), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromMinutes(8));

        Assert.Equal(start.AddMinutes(43), clock.GetUtcNow());
    }

    [Fact]
    public void Next_timer_due_in_names_the_earliest_scheduled_timer()
    {
        var clock = new TestClock();
        Assert.Null(clock.NextTimerDueIn);
        using var later = clock.CreateTimer(_ => { }, null, TimeSpan.FromMinutes(10), Timeout.InfiniteTimeSpan);
        using var sooner = clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);

        Assert.Equal(TimeSpan.FromSeconds(3), clock.NextTimerDueIn);
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(3), clock.NextTimerDueIn);
    }
}

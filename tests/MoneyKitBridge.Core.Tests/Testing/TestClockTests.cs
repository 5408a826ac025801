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

        Assert.Equal([start.AddSeconds(10), start.AddSeconds(20), start.AddSeconds(30)], fired);
        Assert.Equal(start.AddSeconds(35), clock.GetUtcNow());
    }
}

using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Testing;
using NCrontab;

namespace MoneyKitBridge.Functions.Tests.Hosting;

public sealed class TimerSchedulerTests : IAsyncDisposable
{
    private static readonly CrontabSchedule EveryQuarterHour =
        CrontabSchedule.Parse("0 */15 * * * *", new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    private readonly TestClock clock = new(new DateTimeOffset(2026, 1, 5, 9, 7, 0, TimeSpan.Zero));
    private readonly Channel<(DateTimeOffset At, bool IsPastDue)> runs = Channel.CreateUnbounded<(DateTimeOffset, bool)>();
    private readonly ServiceProvider services = new ServiceCollection().BuildServiceProvider();
    private readonly ApplicationLifetime lifetime = new(NullLogger<ApplicationLifetime>.Instance);
    private TimerScheduler? scheduler;

    public async ValueTask DisposeAsync()
    {
        if (scheduler is not null)
        {
            await scheduler.StopAsync(CancellationToken.None);
            scheduler.Dispose();
        }

        await services.DisposeAsync();
    }

    [Fact]
    public async Task Fires_the_job_at_each_occurrence_of_its_schedule()
    {
        await StartAsync(runTimer: true, (_, _) => Task.CompletedTask);

        await WaitUntilWaitingAsync();
        clock.Advance(TimeSpan.FromMinutes(8) - TimeSpan.FromSeconds(1));
        Assert.Equal(1, clock.PendingTimers);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((At(9, 15), false), await NextRunAsync());

        await WaitUntilWaitingAsync();
        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal((At(9, 30), false), await NextRunAsync());
    }

    [Fact]
    public async Task Occurrences_missed_during_a_long_run_collapse_into_one_past_due_run()
    {
        var first = true;
        await StartAsync(runTimer: true, (_, _) =>
        {
            if (first)
            {
                first = false;
                clock.Advance(TimeSpan.FromMinutes(35)); // the 09:15 run ends at 09:50, after 09:30 and 09:45
            }

            return Task.CompletedTask;
        });

        await WaitUntilWaitingAsync();
        clock.Advance(TimeSpan.FromMinutes(8));
        Assert.Equal((At(9, 15), false), await NextRunAsync());
        Assert.Equal((At(9, 50), true), await NextRunAsync());

        await WaitUntilWaitingAsync();
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal((At(10, 0), false), await NextRunAsync());
    }

    [Fact]
    public async Task A_failing_run_does_not_stop_the_schedule()
    {
        var calls = 0;
        await StartAsync(runTimer: true, (_, _) => ++calls == 1 ? throw new InvalidOperationException("job failed") : Task.CompletedTask);

        await WaitUntilWaitingAsync();
        clock.Advance(TimeSpan.FromMinutes(8));
        Assert.Equal((At(9, 15), false), await NextRunAsync());
        await WaitUntilWaitingAsync();
        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal((At(9, 30), false), await NextRunAsync());
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Does_nothing_unless_standalone_timers_are_enabled()
    {
        await StartAsync(runTimer: false, (_, _) => Task.CompletedTask);

        await scheduler!.ExecuteTask!;
        Assert.Equal(0, clock.PendingTimers);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.False(runs.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Waits_for_the_app_to_start_before_arming_its_schedule()
    {
        // Hosted services start one after the other; the storage start-up (which creates the tables a job reads) comes
        // after the scheduler. A job fired before it finished met missing tables on a fresh storage account.
        await StartAsync(runTimer: true, (_, _) => Task.CompletedTask, appStarted: false);

        clock.Advance(TimeSpan.FromMinutes(8));
        Assert.Equal(0, clock.PendingTimers);
        Assert.False(runs.Reader.TryRead(out _));

        lifetime.NotifyStarted();
        await WaitUntilWaitingAsync();
        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal((At(9, 30), false), await NextRunAsync());
    }

    private static DateTimeOffset At(int hour, int minute) => new(2026, 1, 5, hour, minute, 0, TimeSpan.Zero);

    private async Task StartAsync(bool runTimer, Func<TimerJobContext, CancellationToken, Task> job, bool appStarted = true)
    {
        var registry = new TimerFunctionRegistry();
        registry.Add(new TimerFunction("Job", EveryQuarterHour, async (context, cancellationToken) =>
        {
            var at = clock.GetUtcNow();
            try
            {
                await job(context, cancellationToken);
            }
            finally
            {
                runs.Writer.TryWrite((at, context.IsPastDue));
            }
        }));
        var runner = new TimerJobRunner(services.GetRequiredService<IServiceScopeFactory>(), clock, NullLogger<TimerJobRunner>.Instance);
        scheduler = new TimerScheduler(
            registry, runner, Options.Create(new StandaloneOptions { RunTimer = runTimer }), clock, lifetime, NullLogger<TimerScheduler>.Instance);
        await scheduler.StartAsync(CancellationToken.None);
        if (appStarted)
        {
            lifetime.NotifyStarted();
        }
    }

    // The scheduler runs on its own task; wait until it has armed its delay on the test clock (advancing before
    // that would pass the occurrence by).
    private Task WaitUntilWaitingAsync() =>
        Eventually.TrueAsync(() => clock.PendingTimers == 1, "the scheduler to wait for its next occurrence");

    private async Task<(DateTimeOffset At, bool IsPastDue)> NextRunAsync() =>
        await runs.Reader.ReadAsync().AsTask().WaitAsync(Eventually.DefaultTimeout);
}

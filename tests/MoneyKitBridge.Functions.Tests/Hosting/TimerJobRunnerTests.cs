using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>The one runner both modes fire timer jobs through (the worker's function and the standalone scheduler).</summary>
public sealed class TimerJobRunnerTests : IAsyncDisposable
{
    private readonly ServiceProvider services = new ServiceCollection().AddScoped<ScopedMarker>().BuildServiceProvider();
    private readonly TestClock clock = new();

    public ValueTask DisposeAsync() => services.DisposeAsync();

    [Theory]
    [InlineData(true, "started (past due)")]
    [InlineData(false, "started")]
    public async Task Runs_the_job_once_with_its_name_and_past_due_flag_and_returns_its_log_lines(bool isPastDue, string started)
    {
        var runs = new List<TimerJobContext>();
        var runner = new TimerJobRunner(services.GetRequiredService<IServiceScopeFactory>(), clock, NullLogger<TimerJobRunner>.Instance);

        var lines = await runner.RunAsync("TestTimer", (context, _) =>
        {
            runs.Add(context);
            context.Log("dummy job ran");
            clock.Advance(TimeSpan.FromMilliseconds(42));
            return Task.CompletedTask;
        }, isPastDue, CancellationToken.None);

        var run = Assert.Single(runs);
        Assert.Equal("TestTimer", run.FunctionName);
        Assert.Equal(isPastDue, run.IsPastDue);
        Assert.Equal([started, "dummy job ran", "completed in 42 ms"], lines);
    }

    [Fact]
    public async Task Each_run_gets_its_own_service_scope()
    {
        var markers = new List<ScopedMarker>();
        var runner = new TimerJobRunner(services.GetRequiredService<IServiceScopeFactory>(), clock, NullLogger<TimerJobRunner>.Instance);
        Task Job(TimerJobContext context, CancellationToken cancellationToken)
        {
            markers.Add(context.Services.GetRequiredService<ScopedMarker>());
            return Task.CompletedTask;
        }

        await runner.RunAsync("TestTimer", Job, isPastDue: false, CancellationToken.None);
        await runner.RunAsync("TestTimer", Job, isPastDue: false, CancellationToken.None);

        Assert.Equal(2, markers.Count);
        Assert.NotSame(markers[0], markers[1]);
        Assert.All(markers, m => Assert.True(m.Disposed));
    }

    [Fact]
    public async Task A_failing_job_fails_the_run()
    {
        var runner = new TimerJobRunner(services.GetRequiredService<IServiceScopeFactory>(), clock, NullLogger<TimerJobRunner>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(
            "TestTimer", (_, _) => throw new InvalidOperationException("job failed"), isPastDue: false, CancellationToken.None));

        Assert.Equal("job failed", error.Message);
    }

    private sealed class ScopedMarker : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}

using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Functions.Refresh;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Functions.Tests.Logging;

namespace MoneyKitBridge.Functions.Tests.Refresh;

/// <summary>
/// The worker's <c>[TimerTrigger]</c> function invoked directly, as the host fires it (real services, real Azurite):
/// it runs the refresh job and the webhook-key purge, and the host's past-due flag reaches the run.
/// </summary>
public sealed class RefreshStaleLinksFunctionTests : IDisposable
{
    private readonly LogCapture logs = new();
    private readonly BridgeAppFactory factory;

    public RefreshStaleLinksFunctionTests()
    {
        factory = new BridgeAppFactory(configureServices: services => services.AddSingleton<ILoggerProvider>(logs));
    }

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task A_past_due_firing_runs_the_job_and_logs_its_result_as_past_due()
    {
        await RunAsync(isPastDue: true);

        var lines = JobLines();
        Assert.Equal("started (past due)", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("due=0 refreshed=0 rate_limited=0 skipped=0 reconciled=0 synced=0 stopped_early=", StringComparison.Ordinal));
        Assert.Contains("webhook_keys_purged=0", lines);
        Assert.StartsWith("completed in ", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_on_time_firing_is_not_past_due()
    {
        await RunAsync(isPastDue: false);

        var lines = JobLines();
        Assert.Equal("started", lines[0]);
        Assert.StartsWith("completed in ", lines[^1], StringComparison.Ordinal);
    }

    private async Task RunAsync(bool isPastDue)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var function = ActivatorUtilities.CreateInstance<RefreshStaleLinksFunction>(scope.ServiceProvider);
        logs.Clear();

        await function.RunAsync(new TimerInfo { IsPastDue = isPastDue }, CancellationToken.None);
    }

    // The runner's lines ("RefreshStaleLinks: <message>"), in order.
    private List<string> JobLines()
    {
        const string prefix = "RefreshStaleLinks: ";
        return
        [
            .. logs.Entries
                .Select(entry => entry.Split(" | ")[0])
                .Select(message => message.IndexOf(prefix, StringComparison.Ordinal) is var at and >= 0 ? message[(at + prefix.Length)..] : null)
                .OfType<string>(),
        ];
    }
}

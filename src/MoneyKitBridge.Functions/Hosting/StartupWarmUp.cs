using MoneyKitBridge.Core.Queries;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// At start, reads and maps one stored row as a snapshot load does, so a new instance's first query does not also wait
/// for the JIT: ReadyToRun precompiles the app but leaves much of the SDK's generic code (Table queries and entity
/// deserialization) to it. Measured with bench/run-http.sh (first query after a restart / raw partition scan): 1.57
/// without it, 1.32 with it (the rest came from compiling that code optimized at once, see the project file); also
/// issuing and verifying a token here measured no better, so it does not. A failure costs only the warm-up.
/// </summary>
public sealed class StartupWarmUp(LinkSnapshotReader reader, ILogger<StartupWarmUp> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await reader.WarmUpAsync(cancellationToken);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException)
        {
            logger.LogDebug("Start-up warm-up skipped: {Error}", e.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Auth;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// At start, runs the code of the hot read path once — a bearer token issued and verified, one stored row read and
/// mapped as a snapshot load does — so a new instance's first query does not also wait for the JIT: ReadyToRun
/// precompiles the app but leaves much of the SDKs' generic code (Table queries and entity deserialization, token
/// handling) to it. Measured with bench/run-http.sh (first query after a restart / raw partition scan): 1.57 without
/// it, 1.32-1.45 with it (the rest came from compiling that code optimized at once, see the project file). A failure
/// here costs only the warm-up, never the start.
/// </summary>
public sealed class StartupWarmUp(LinkSnapshotReader reader, BridgeAccessTokens tokens, ILogger<StartupWarmUp> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await tokens.WarmUpAsync(cancellationToken);
            await reader.WarmUpAsync(cancellationToken);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or InvalidOperationException)
        {
            logger.LogDebug("Start-up warm-up skipped: {Error}", e.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

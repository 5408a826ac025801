using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Functions.Auth;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>
/// Right after start, in the background, runs the read path once on nothing (a token verified, an empty link
/// partition loaded and rendered) so the first real query after a cold start does not also pay for compiling it.
/// Readiness (<c>GET /</c>) does not wait for it, and a failure only logs.
/// </summary>
internal sealed class ReadPathWarmUp(
    IHostApplicationLifetime lifetime,
    BridgeAccessTokens tokens,
    LinkSnapshotReader reader,
    TimeProvider time,
    ILogger<ReadPathWarmUp> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => WarmUpAsync(lifetime.ApplicationStopping)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task WarmUpAsync(CancellationToken stopping)
    {
        try
        {
            var token = await tokens.IssueAsync("(warm-up)", [], stopping);
            await tokens.ValidateAsync(token.AccessToken, stopping);
            var nothing = new LinkState { LinkId = "warm-up-" + Guid.NewGuid().ToString("N"), Version = -1 };
            var snapshot = await reader.GetAsync(nothing, stopping);
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var page = new TransactionQuery(null, today.AddDays(-90), today, 1, 50).Apply(snapshot.Transactions);
            RawJsonResult.Render(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("total", page.Total);
                RawJsonResult.WriteRawArray(writer, "transactions", page.Transactions.Select(t => t.Json));
                writer.WriteEndObject();
            });
            logger.LogDebug("Read path warmed up");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogInformation("Read path warm-up skipped: {Error}", e.GetType().Name);
        }
    }
}

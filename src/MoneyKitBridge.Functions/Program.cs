using Microsoft.Extensions.Hosting;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.Secrets;

try
{
    var builder = CustomHandlerHosting.CreateBuilder(args);
    builder.Services.AddBridgeSecrets(builder.Configuration);
    builder.Services.AddBridgeAuth();
    builder.Services.AddTimerFunctions();
    // Feature groups register their services here.

    var app = builder.Build();
    app.UseBridgeHosting();
    app.UseBridgeAuth();

    app.MapReadiness();
    app.MapAuthEndpoints();
    // Feature groups map their endpoints here, e.g. app.MapLinkEndpoints(); app.MapWebhookEndpoints();

    // Placeholder until the Refresh feature supplies the job; keep the name and default schedule (ROUTES.md).
    app.MapTimerFunction("RefreshStaleLinks", "0 */15 * * * *", (context, cancellationToken) =>
    {
        context.Log("no refresh job is wired yet");
        return Task.CompletedTask;
    });

    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    // The Functions host restarts a handler that exits non-zero; one line tells the operator why.
    await Console.Error.WriteLineAsync(StartupFailure.Describe(ex));
    return 1;
}

/// <summary>Marker for tests that host the bridge.</summary>
public partial class Program;

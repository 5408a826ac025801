using Microsoft.Extensions.Hosting;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.Institutions;
using MoneyKitBridge.Functions.LinkProducts;
using MoneyKitBridge.Functions.LinkSessions;
using MoneyKitBridge.Functions.Links;
using MoneyKitBridge.Functions.OpenApi;
using MoneyKitBridge.Functions.Operations;
using MoneyKitBridge.Functions.Reconciliation;
using MoneyKitBridge.Functions.Refresh;
using MoneyKitBridge.Functions.Secrets;
using MoneyKitBridge.Functions.Telemetry;
using MoneyKitBridge.Functions.Transactions;
using MoneyKitBridge.Functions.Users;
using MoneyKitBridge.Functions.Webhooks;

try
{
    if (WorkerHosting.IsLaunchedByHost(args, Environment.GetEnvironmentVariable))
    {
        // Worker mode: the Functions host launched us; it owns routing, the timer schedule and the front end.
        await WorkerHosting.CreateWorkerBuilder(args).Build().RunAsync();
        return 0;
    }

    // Standalone mode: a plain ASP.NET Core app mapping the same handlers on the same routes (BridgeRoutes).
    var builder = StandaloneHosting.CreateBuilder(args);
    builder.Services.AddBridgeSecrets(builder.Configuration);
    builder.Services.AddBridgeAuth();
    builder.Services.AddBridgeCore();
    builder.Services.AddBridgeTelemetry(builder.Configuration, worker: false);

    var app = builder.Build();
    app.UseBridgeHosting();
    app.UseBridgeAuth();

    app.MapAuthEndpoints();
    app.MapLinkEndpoints();
    app.MapTransactionEndpoints();
    app.MapInstitutionEndpoints();
    app.MapLinkProductEndpoints();
    app.MapUserAccountEndpoints();
    app.MapTransactionSyncEndpoints();
    app.MapLinkSessionEndpoints();
    app.MapWebhookEndpoints();
    app.MapOpsEndpoints();
    app.ScheduleRefreshTimer();
    app.ScheduleReconcileTimer();
    app.MapOpenApiEndpoints();

    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    // The Functions host restarts a worker that exits non-zero; one line tells the operator why.
    await Console.Error.WriteLineAsync(StartupFailure.Describe(ex));
    return 1;
}

/// <summary>Marker for tests that host the bridge.</summary>
public partial class Program;

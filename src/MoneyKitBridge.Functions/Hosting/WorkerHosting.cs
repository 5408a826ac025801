using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Secrets;
using MoneyKitBridge.Functions.Telemetry;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// The two modes of the one app. Launched by the Functions host (a host endpoint is configured) it runs as the .NET
/// isolated worker; launched without one it runs as a plain ASP.NET Core app (<see cref="StandaloneHosting"/>)
/// that maps the same handlers on the same routes and fires the timer from the same setting.
/// </summary>
public static class WorkerHosting
{
    /// <summary>The setting through which the host tells the worker where its gRPC endpoint is.</summary>
    public const string HostEndpointSetting = "Functions:Worker:HostEndpoint";

    /// <summary>Whether the process was launched by the Functions host (worker mode).</summary>
    /// <param name="args">The command line: the host passes <c>--functions-uri</c> (older hosts <c>--host</c> and <c>--port</c>).</param>
    /// <param name="environment">Reads an environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    public static bool IsLaunchedByHost(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(environment(HostEndpointSetting.Replace(":", "__", StringComparison.Ordinal))))
        {
            return true;
        }

        return args.Any(arg =>
            arg.StartsWith("--functions-uri", StringComparison.OrdinalIgnoreCase)
            || arg.StartsWith("--" + HostEndpointSetting, StringComparison.OrdinalIgnoreCase)
            || arg.StartsWith("--" + HostEndpointSetting.Replace(":", "__", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
            || (args.Contains("--host", StringComparer.OrdinalIgnoreCase) && args.Contains("--port", StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Worker mode: the isolated worker with ASP.NET Core integration and the bridge's services and middleware.</summary>
    public static FunctionsApplicationBuilder CreateWorkerBuilder(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.UseMiddleware<BridgeWorkerMiddleware>();
        AddWorkerServices(builder.Services, builder.Configuration);
        builder.Services.AddBridgeTelemetry(builder.Configuration, worker: true);
        return builder;
    }

    /// <summary>The services worker mode adds (also used by tests that invoke functions directly).</summary>
    public static IServiceCollection AddWorkerServices(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new System.Diagnostics.DiagnosticListener("MoneyKitBridge.Functions"));
        services.TryAddSingleton<System.Diagnostics.DiagnosticSource>(sp => sp.GetRequiredService<System.Diagnostics.DiagnosticListener>());
        services.AddMetrics();
        services.AddBridgeSecrets(configuration);
        services.AddBridgeAuth();
        services.AddBridgeCore();
        services.TryAddSingleton<TimerJobRunner>();
        Logging.RedactingLoggerFactory.AddTo(services);
        return services;
    }
}

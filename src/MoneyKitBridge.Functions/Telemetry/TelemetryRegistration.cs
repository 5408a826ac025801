using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using MoneyKitBridge.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MoneyKitBridge.Functions.Telemetry;

/// <summary>
/// Registers OpenTelemetry for the bridge's meter and activity source (<see cref="BridgeTelemetry"/>) plus ASP.NET
/// Core's and HttpClient's own: to Application Insights through the Azure Monitor exporter when a connection string
/// is configured (with Entra auth when the authentication string asks, as infra/modules/functionapp.bicep sets it),
/// to the console only when <c>Telemetry__Console=true</c>, and nothing at all otherwise.
/// </summary>
public static class TelemetryRegistration
{
    /// <summary>The service name resources carry.</summary>
    public const string ServiceName = "moneykit-bridge";

    private static readonly string[] Meters = [BridgeTelemetry.Name, "Microsoft.AspNetCore.Hosting", "System.Net.Http"];
    private static readonly string[] Sources = [BridgeTelemetry.Name, "Microsoft.AspNetCore", "System.Net.Http"];

    /// <summary>Adds the exporters configuration asks for; <paramref name="worker"/> adds the Functions worker's defaults (invocation activities, resource).</summary>
    public static IServiceCollection AddBridgeTelemetry(this IServiceCollection services, IConfiguration configuration, bool worker)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = TelemetryOptions.From(configuration);
        services.AddOptions<TelemetryOptions>()
            .Configure(o =>
            {
                o.Console = options.Console;
                o.ConnectionString = options.ConnectionString;
                o.AuthenticationString = options.AuthenticationString;
            })
            .Validate(o => !o.Problems().Any(), string.Join(" ", options.Problems().DefaultIfEmpty("Telemetry settings are invalid.")))
            .ValidateOnStart();
        if (!options.Enabled)
        {
            return services;
        }

        var builder = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(ServiceName));
        if (worker)
        {
            builder.UseFunctionsWorkerDefaults();
        }

        var azureMonitor = !string.IsNullOrWhiteSpace(options.ConnectionString) && !options.Problems().Any();
        var credential = azureMonitor ? Credential(options) : null;
        builder.WithTracing(tracing =>
        {
            tracing.AddSource(Sources);
            if (azureMonitor)
            {
                tracing.AddAzureMonitorTraceExporter(o => Configure(o, options, credential));
            }

            if (options.Console)
            {
                tracing.AddConsoleExporter();
            }
        });
        builder.WithMetrics(metrics =>
        {
            metrics.AddMeter(Meters);
            if (azureMonitor)
            {
                metrics.AddAzureMonitorMetricExporter(o => Configure(o, options, credential));
            }

            if (options.Console)
            {
                metrics.AddConsoleExporter();
            }
        });
        return services;
    }

    /// <summary>The Entra credential the authentication string asks for (a user-assigned identity by client id, else the default chain); null for key-based ingestion.</summary>
    internal static TokenCredential? Credential(TelemetryOptions options) =>
        !options.TryGetEntraAuth(out var clientId) ? null
        : clientId is not null ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
        : new DefaultAzureCredential();

    private static void Configure(AzureMonitorExporterOptions exporter, TelemetryOptions options, TokenCredential? credential)
    {
        exporter.ConnectionString = options.ConnectionString;
        if (credential is not null)
        {
            exporter.Credential = credential;
        }
    }
}

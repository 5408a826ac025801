using System.Diagnostics;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Telemetry;
using MoneyKitBridge.Functions.Telemetry;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MoneyKitBridge.Functions.Tests.Telemetry;

public sealed class TelemetryRegistrationTests
{
    private const string ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.invalid/";

    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? more = null, bool worker = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBridgeTelemetry(configuration, worker);
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Without_settings_nothing_is_registered_to_export()
    {
        using var provider = Build([]);

        Assert.Null(provider.GetService<MeterProvider>());
        Assert.Null(provider.GetService<TracerProvider>());
        Assert.False(provider.GetRequiredService<IOptions<TelemetryOptions>>().Value.Enabled);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Console_export_collects_the_bridge_meter_when_asked(bool worker)
    {
        var exported = new List<Metric>();
        using var provider = Build(
            new() { ["Telemetry:Console"] = "true" },
            s => s.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(exported)),
            worker);
        var meters = provider.GetRequiredService<MeterProvider>();
        Assert.NotNull(provider.GetService<TracerProvider>());

        BridgeTelemetry.SnapshotLookup(hit: true);
        meters.ForceFlush();

        var cache = Assert.Single(exported, m => m.Name == "moneykit_bridge.snapshot.cache");
        Assert.Equal(BridgeTelemetry.Name, cache.MeterName);
    }

    [Fact]
    public void Application_Insights_uses_the_user_assigned_identity_the_authentication_string_names()
    {
        var options = TelemetryOptions.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetryOptions.ConnectionStringSetting] = ConnectionString,
            [TelemetryOptions.AuthenticationStringSetting] = "ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD",
        }).Build());

        Assert.True(options.Enabled);
        Assert.Empty(options.Problems());
        Assert.True(options.TryGetEntraAuth(out var clientId));
        Assert.Equal("11111111-2222-3333-4444-555555555555", clientId);
        Assert.IsType<ManagedIdentityCredential>(TelemetryRegistration.Credential(options));
        Assert.IsType<DefaultAzureCredential>(TelemetryRegistration.Credential(new TelemetryOptions { ConnectionString = ConnectionString, AuthenticationString = "Authorization=AAD" }));
        Assert.Null(TelemetryRegistration.Credential(new TelemetryOptions { ConnectionString = ConnectionString }));
    }

    [Fact]
    public void An_Application_Insights_connection_string_registers_the_exporters()
    {
        using var provider = Build(new() { [TelemetryOptions.ConnectionStringSetting] = ConnectionString, [TelemetryOptions.AuthenticationStringSetting] = "Authorization=AAD" });

        Assert.True(provider.GetRequiredService<IOptions<TelemetryOptions>>().Value.Enabled);
        Assert.Contains(provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>(), s => s.GetType().FullName!.Contains("OpenTelemetry", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_standalone_app_traces_requests_in_the_callers_trace_when_export_is_on()
    {
        var exported = new List<Activity>();
        await using var factory = new BridgeAppFactory(
            new Dictionary<string, string?> { ["Telemetry:Console"] = "true" },
            s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(exported)));
        using var client = factory.CreateClient();
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/openapi/v1.json");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await client.SendAsync(request);

        var tracer = factory.Services.GetRequiredService<TracerProvider>();
        await Eventually.TrueAsync(
            () =>
            {
                tracer.ForceFlush();
                lock (exported)
                {
                    return exported.Any(a => a.TraceId == traceId && a.Source.Name == "Microsoft.AspNetCore");
                }
            },
            "the request's activity, in the caller's trace, exported");
    }

    [Theory]
    [InlineData(TelemetryOptions.ConnectionStringSetting, "not-a-connection-string")]
    [InlineData(TelemetryOptions.AuthenticationStringSetting, "Authorization=Basic")]
    public void Invalid_settings_fail_at_start(string setting, string value)
    {
        var settings = new Dictionary<string, string?> { [TelemetryOptions.ConnectionStringSetting] = ConnectionString, [setting] = value };
        using var provider = Build(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TelemetryOptions>>().Value);
        Assert.Contains(setting, failure.Message, StringComparison.Ordinal);
    }
}

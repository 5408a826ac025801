using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// Worker mode is what the build's <c>functions.metadata</c> declares (the host routes and schedules from it); standalone
/// mode is what the app maps. Both come from <see cref="BridgeRoutes"/>, and this test proves they agree function by
/// function: name, method, route (under the <c>host.json</c> prefix), auth level, and the timer's schedule setting.
/// </summary>
public sealed class FunctionsMetadataTests
{
    [Fact]
    public void Every_http_function_in_functions_metadata_is_a_standalone_route_and_vice_versa()
    {
        var declared = BuiltMetadata.Read().Where(f => f.Type == "httpTrigger")
            .SelectMany(f => f.Methods.Select(m => new FunctionRoute(f.Name, m.ToUpperInvariant(), $"{HostRoutePrefix()}/{f.Route}")))
            .ToHashSet();
        var mapped = StandaloneRoutes().ToHashSet();

        Assert.Equal(BridgeRoutes.All.Count + BridgeRoutes.Timers.Count, BuiltMetadata.Read().Count); // every route of the table and the timers
        Assert.Empty(declared.Except(mapped).Select(r => "declared but not mapped standalone: " + r));
        Assert.Empty(mapped.Except(declared).Select(r => "mapped standalone but not a function: " + r));
        Assert.Equal(BridgeRoutes.All.Count, declared.Count);
    }

    [Fact]
    public void Every_http_function_is_anonymous_at_the_host_level_the_bridge_checks_its_own_tokens()
    {
        var http = BuiltMetadata.Read().Where(f => f.Type == "httpTrigger").ToList();

        Assert.NotEmpty(http);
        Assert.All(http, f => Assert.Equal("anonymous", f.AuthLevel, ignoreCase: true));
    }

    [Theory]
    [InlineData(BridgeRoutes.RefreshStaleLinks, "%RefreshStaleLinks:Schedule%")]
    [InlineData(BridgeRoutes.Reconcile, "%Reconcile:Schedule%")]
    public void Each_timer_is_declared_with_the_setting_the_standalone_scheduler_reads_and_is_no_standalone_route(string name, string setting)
    {
        var timers = BuiltMetadata.Read().Where(f => f.Type == "timerTrigger").ToList();
        Assert.Equal(BridgeRoutes.Timers.Select(t => t.Name).Order(StringComparer.Ordinal), timers.Select(t => t.Name).Order(StringComparer.Ordinal));
        var timer = Assert.Single(timers, f => f.Name == name);

        Assert.Equal(setting, timer.Schedule);
        Assert.Contains((name, setting), BridgeRoutes.Timers);

        // Standalone reads the same setting: a schedule set there is the one the scheduler runs.
        using var factory = new BridgeAppFactory(new Dictionary<string, string?> { [timer.Schedule!.Trim('%')] = "0 7 3 * * *" });
        var registered = Assert.Single(factory.Services.GetRequiredService<TimerFunctionRegistry>().Functions, f => f.Name == timer.Name);
        Assert.Equal(new DateTime(2026, 1, 1, 3, 7, 0, DateTimeKind.Utc), registered.Schedule.GetNextOccurrence(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.DoesNotContain(StandaloneRoutes(), r => r.Name == timer.Name);
    }

    private static string HostRoutePrefix()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.Root, "host.json")));
        var prefix = hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString();
        Assert.Equal(BridgeRoutes.Prefix, prefix);
        return prefix!;
    }

    /// <summary>The standalone app's routes (no host endpoint), without the test-only endpoints.</summary>
    private static List<FunctionRoute> StandaloneRoutes()
    {
        using var factory = new BridgeAppFactory(configureServices: services =>
        {
            foreach (var descriptor in services.Where(d => d.ServiceType == typeof(IStartupFilter) && d.ImplementationType == typeof(TestEndpoints)).ToList())
            {
                services.Remove(descriptor);
            }
        });

        return
        [
            .. factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
                .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["(any)"]).Select(method => new FunctionRoute(
                    e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "(unnamed)",
                    method.ToUpperInvariant(),
                    (e.RoutePattern.RawText ?? "").TrimStart('/')))),
        ];
    }
}

/// <summary>One function of the <c>functions.metadata</c> the Worker SDK writes next to the built app.</summary>
internal sealed record MetadataFunction(string Name, string Type, IReadOnlyList<string> Methods, string? Route, string? AuthLevel, string? Schedule);

internal static class BuiltMetadata
{
    /// <summary>The app's build output folder: the test project's sibling under <c>artifacts/bin</c>, same configuration.</summary>
    public static string AppOutput
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = testOutput.Name;
            var app = Path.Combine(testOutput.Parent!.Parent!.FullName, "MoneyKitBridge.Functions", configuration);
            Assert.True(File.Exists(Path.Combine(app, "functions.metadata")), "functions.metadata not found in " + app);
            return app;
        }
    }

    public static List<MetadataFunction> Read()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppOutput, "functions.metadata")));
        var functions = new List<MetadataFunction>();
        foreach (var function in json.RootElement.EnumerateArray())
        {
            var trigger = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In");
            string? Text(string name) => trigger.TryGetProperty(name, out var value) ? value.GetString() : null;
            var methods = trigger.TryGetProperty("methods", out var list) ? list.EnumerateArray().Select(m => m.GetString()!).ToList() : [];
            functions.Add(new MetadataFunction(
                function.GetProperty("name").GetString()!, trigger.GetProperty("type").GetString()!, methods, Text("route"), Text("authLevel"), Text("schedule")));
        }

        return functions;
    }
}

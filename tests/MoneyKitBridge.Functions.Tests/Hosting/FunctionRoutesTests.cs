using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// The Functions host only forwards what a <c>&lt;FunctionName&gt;/function.json</c> declares, and the handler only
/// answers what it maps: both lists must be the same, function by function (endpoint name = folder name), method by
/// method and route by route. Timer functions arrive as <c>POST /{Name}</c> and read <c>%{Name}__Schedule%</c>.
/// </summary>
public sealed class FunctionRoutesTests
{
    [Fact]
    public void Every_function_folder_is_served_by_the_endpoint_of_the_same_name_and_vice_versa()
    {
        var declared = FunctionFolders.Read().Select(f => f.Route).ToList();
        var mapped = AppRoutes(keepTestEndpoints: false);

        var differences = RouteDifferences(declared, mapped);

        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
        Assert.Contains(new FunctionRoute("RefreshStaleLinks", "POST", "RefreshStaleLinks"), mapped);
        Assert.Contains(new FunctionRoute("GetOpenApiDocument", "GET", "api/openapi/{documentName}.json"), mapped);
    }

    [Fact]
    public void An_endpoint_without_a_function_folder_is_reported()
    {
        // The test-only endpoints (a timer and unnamed routes) have no folder: the comparison must name them.
        var declared = FunctionFolders.Read().Select(f => f.Route).ToList();

        var differences = RouteDifferences(declared, AppRoutes(keepTestEndpoints: true));

        Assert.Contains("mapped but has no function.json: TestTimer POST TestTimer", differences);
        Assert.Contains("mapped but has no function.json: (unnamed) GET api/test/throw", differences);
    }

    [Fact]
    public void A_function_folder_without_an_endpoint_is_reported()
    {
        var declared = FunctionFolders.Read().Select(f => f.Route)
            .Append(new FunctionRoute("GetLinkBalances", "GET", "api/links/{link_id}/balances"))
            .Select(r => r.Name == "GetLinkAccounts" ? r with { Method = "POST" } : r)
            .ToList();

        var differences = RouteDifferences(declared, AppRoutes(keepTestEndpoints: false));

        Assert.Contains("declared but not mapped: GetLinkBalances GET api/links/{link_id}/balances", differences);
        Assert.Contains("declared but not mapped: GetLinkAccounts POST api/links/{link_id}/accounts", differences);
        Assert.Contains("mapped but has no function.json: GetLinkAccounts GET api/links/{link_id}/accounts", differences);
    }

    [Fact]
    public void Every_timer_reads_its_schedule_from_the_setting_the_handler_reads()
    {
        var timers = FunctionFolders.Read().Where(f => f.Schedule is not null).ToList();

        Assert.NotEmpty(timers);
        Assert.All(timers, timer => Assert.Equal($"%{timer.Route.Name}__Schedule%", timer.Schedule));
    }

    [Fact]
    public void Every_http_function_is_anonymous_at_the_host_level()
    {
        var http = FunctionFolders.Read().Where(f => f.Schedule is null).ToList();

        Assert.NotEmpty(http);
        Assert.All(http, function => Assert.Equal("anonymous", function.AuthLevel));
    }

    private static List<string> RouteDifferences(IReadOnlyCollection<FunctionRoute> declared, IReadOnlyCollection<FunctionRoute> mapped)
    {
        var declaredSet = declared.ToHashSet();
        var mappedSet = mapped.ToHashSet();
        return
        [
            .. declared.Where(r => !mappedSet.Contains(r)).Select(r => "declared but not mapped: " + r),
            .. mapped.Where(r => !declaredSet.Contains(r)).Select(r => "mapped but has no function.json: " + r),
            .. declared.GroupBy(r => (r.Method, Route: r.Route.ToUpperInvariant())).Where(g => g.Count() > 1)
                .Select(g => $"declared twice: {g.Key.Method} {g.First().Route}"),
        ];
    }

    /// <summary>The app's routes as the test server built them under the custom handler, without the readiness probe <c>GET /</c>.</summary>
    private static List<FunctionRoute> AppRoutes(bool keepTestEndpoints)
    {
        using var factory = new BridgeAppFactory(new Dictionary<string, string?> { [MoneyKitBridge.Functions.Hosting.CustomHandlerHosting.PortVariable] = "7071" }, services =>
        {
            if (!keepTestEndpoints)
            {
                var testEndpoints = services.Where(d => d.ServiceType == typeof(IStartupFilter) && d.ImplementationType == typeof(TestEndpoints)).ToList();
                Assert.NotEmpty(testEndpoints);
                foreach (var descriptor in testEndpoints)
                {
                    services.Remove(descriptor);
                }
            }
        });

        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/");

        var routes = new List<FunctionRoute>();
        foreach (var endpoint in endpoints.Where(e => e.RoutePattern.RawText != "/"))
        {
            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "(unnamed)";
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["(any)"];
            var route = (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            routes.AddRange(methods.Select(method => new FunctionRoute(name, method.ToUpperInvariant(), route)));
        }

        return routes;
    }
}

/// <summary>One method + route of a function (or of an app endpoint), with the <c>api/</c> prefix for HTTP functions.</summary>
internal sealed record FunctionRoute(string Name, string Method, string Route)
{
    public override string ToString() => $"{Name} {Method} {Route}";
}

/// <summary>A <c>function.json</c> at the repository root: its routes, and for timers the schedule.</summary>
internal sealed record FunctionFolder(FunctionRoute Route, string? Schedule, string? AuthLevel);

internal static class FunctionFolders
{
    /// <summary>The folder holding Functions.sln, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new DirectoryNotFoundException("Functions.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Every <c>*/function.json</c> at the repository root, one entry per declared HTTP method.</summary>
    public static List<FunctionFolder> Read()
    {
        var root = RepositoryRoot;
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "host.json")));
        var prefix = hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString();
        Assert.False(string.IsNullOrEmpty(prefix), "host.json must set extensions.http.routePrefix");

        var functions = new List<FunctionFolder>();
        foreach (var file in Directory.GetDirectories(root).Select(d => Path.Combine(d, "function.json")).Where(File.Exists).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(Path.GetDirectoryName(file))!;
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var bindings = json.RootElement.GetProperty("bindings").EnumerateArray().ToList();
            var timer = bindings.SingleOrDefault(b => b.GetProperty("type").GetString() == "timerTrigger");
            if (timer.ValueKind == JsonValueKind.Object)
            {
                functions.Add(new FunctionFolder(new FunctionRoute(name, "POST", name), timer.GetProperty("schedule").GetString(), null));
                continue;
            }

            var trigger = bindings.Single(b => b.GetProperty("type").GetString() == "httpTrigger");
            var route = trigger.GetProperty("route").GetString()!;
            var authLevel = trigger.TryGetProperty("authLevel", out var level) ? level.GetString() : null;
            foreach (var method in trigger.GetProperty("methods").EnumerateArray())
            {
                functions.Add(new FunctionFolder(new FunctionRoute(name, method.GetString()!.ToUpperInvariant(), $"{prefix}/{route}"), null, authLevel));
            }
        }

        Assert.NotEmpty(functions);
        return functions;
    }
}

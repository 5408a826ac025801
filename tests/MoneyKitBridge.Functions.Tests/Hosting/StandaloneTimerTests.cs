using System.Net;
using System.Text;
using MoneyKitBridge.Functions.Errors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.Tests.Api;
using MoneyKitBridge.Functions.Tests.Logging;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// Standalone the timer functions have no route, whatever the host-like settings: whoever can reach the port cannot
/// start a job, and the schedule still fires it.
/// </summary>
[Collection(nameof(StandaloneTimerTests))]
public sealed class StandaloneTimerTests : IDisposable
{
    private const string Envelope = """{"Data":{"timer":{"IsPastDue":true}},"Metadata":{"sys":{"MethodName":"RefreshStaleLinks"}}}""";

    private readonly LogCapture logs = new();
    private readonly BridgeAppFactory factory;
    private readonly HttpClient client;

    public StandaloneTimerTests()
    {
        factory = new(new Dictionary<string, string?> { ["Standalone:RunTimer"] = "true" }, services => services.AddSingleton<ILoggerProvider>(logs));
        client = factory.CreateClient();
        lock (TestEndpoints.TimerRuns)
        {
            TestEndpoints.TimerRuns.Clear();
        }
    }

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    [Theory]
    [InlineData("POST", "/RefreshStaleLinks")]
    [InlineData("POST", "/refreshstalelinks")]
    [InlineData("POST", "/" + TestEndpoints.TimerName)]
    [InlineData("PUT", "/RefreshStaleLinks")]
    [InlineData("GET", "/RefreshStaleLinks")]
    [InlineData("POST", "/Reconcile")]
    [InlineData("POST", "/api/Reconcile")]
    public async Task An_outside_caller_cannot_start_a_timer_job(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
        {
            Content = method == "GET" ? null : new StringContent(Envelope, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());

        using var response = await client.SendAsync(request);

        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.NotFound, ApiErrorCodes.NotFound);
        Assert.Empty(TestEndpoints.TimerRuns);
    }

    [Fact]
    public void No_endpoint_runs_a_timer_job_even_with_the_old_custom_handler_settings()
    {
        // The retired custom handler mapped POST /{timer} when the host set its port; nothing maps a timer any more.
        using var hostLike = new BridgeAppFactory(new Dictionary<string, string?>
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071",
            ["FUNCTIONS_WORKER_RUNTIME"] = "custom",
        });
        var timers = hostLike.Services.GetRequiredService<TimerFunctionRegistry>().Functions.Select(f => f.Name).ToList();
        var endpoints = hostLike.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        Assert.Contains(BridgeRoutes.RefreshStaleLinks, timers);
        Assert.Contains(BridgeRoutes.Reconcile, timers);
        Assert.Contains(TestEndpoints.TimerName, timers);
        Assert.NotEmpty(endpoints);
        foreach (var endpoint in endpoints)
        {
            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
            var path = endpoint.RoutePattern.RawText ?? "";
            Assert.DoesNotContain(name, timers);
            Assert.DoesNotContain(timers, timer => path.Contains(timer, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public void The_schedule_still_fires_the_job()
    {
        bool Ran() => logs.Entries.Any(l => l.Contains("RefreshStaleLinks: completed", StringComparison.Ordinal));

        // Advance the test clock one schedule period at a time until the scheduler (armed on its own task) fires.
        for (var attempt = 0; attempt < 30 && !Ran(); attempt++)
        {
            SpinWait.SpinUntil(() => factory.Clock.PendingTimers >= 1, TimeSpan.FromSeconds(5));
            factory.Clock.Advance(TimeSpan.FromMinutes(15));
            SpinWait.SpinUntil(Ran, TimeSpan.FromSeconds(1));
        }

        Assert.True(Ran(), "the scheduled RefreshStaleLinks never ran");
    }
}

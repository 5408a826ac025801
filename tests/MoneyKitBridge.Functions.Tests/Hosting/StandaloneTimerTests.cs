using System.Net;
using System.Text;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Tests.Api;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// Standalone (no <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>) the timer functions have no route: whoever can reach the port
/// cannot start a job, and the schedule still fires it.
/// </summary>
[Collection(nameof(TimerEnvelopeTests))]
public sealed class StandaloneTimerTests : IDisposable
{
    private const string Envelope = """{"Data":{"timer":{"IsPastDue":true}},"Metadata":{"sys":{"MethodName":"RefreshStaleLinks"}}}""";

    private readonly BridgeAppFactory factory = new(new Dictionary<string, string?> { ["Standalone:RunTimer"] = "true" });
    private readonly HttpClient client;

    public StandaloneTimerTests()
    {
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
    public void The_schedule_still_fires_the_job()
    {
        // Both timers (RefreshStaleLinks, the test timer) arm their first occurrence on the test clock.
        Assert.True(SpinWait.SpinUntil(() => factory.Clock.PendingTimers >= 2, TimeSpan.FromSeconds(30)), "the scheduler never armed its timers");

        factory.Clock.Advance(TimeSpan.FromHours(1));

        Assert.True(SpinWait.SpinUntil(() => { lock (TestEndpoints.TimerRuns) { return TestEndpoints.TimerRuns.Count > 0; } }, TimeSpan.FromSeconds(30)), "the scheduled job never ran");
        lock (TestEndpoints.TimerRuns)
        {
            Assert.Equal(TestEndpoints.TimerName, TestEndpoints.TimerRuns[0].FunctionName);
        }
    }
}

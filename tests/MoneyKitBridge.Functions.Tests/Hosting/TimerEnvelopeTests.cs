using System.Net;
using System.Text;
using System.Text.Json;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Tests.Hosting;

[Collection(nameof(TimerEnvelopeTests))]
public sealed class TimerEnvelopeTests : IDisposable
{
    // The host's invocation path exists only under the custom handler (the host sets the port variable).
    private readonly BridgeAppFactory factory = new(new Dictionary<string, string?> { [CustomHandlerHosting.PortVariable] = "7071" });
    private readonly HttpClient client;

    public TimerEnvelopeTests()
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

    // Shapes the Functions host sends (Newtonsoft-serialized TimerInfo), with and without a schedule monitor.
    public static TheoryData<string, bool> Envelopes => new()
    {
        {
            """{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":true}},"Metadata":{"sys":{"MethodName":"TestTimer","UtcNow":"2026-01-05T09:00:00.0123456Z","RandGuid":"8b0b8a4e-2d9c-4a55-9d0e-3c2f1d9e6a10"}}}""",
            true
        },
        {
            """{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-01-05T08:45:00+00:00","Next":"2026-01-05T09:00:00+00:00","LastUpdated":"01/05/2026 08:45:00"},"IsPastDue":false}},"Metadata":{"sys":{"MethodName":"TestTimer"}}}""",
            false
        },
        {
            """{"Data":{"timer":{"Schedule":{},"ScheduleStatus":{"Last":"0001-01-01T00:00:00","Next":"2026-01-05T09:00:00Z","LastUpdated":"2026-01-05T08:45:00Z"},"IsPastDue":true}},"Metadata":{"RetryContext":{"MaxRetryCount":3,"RetryCount":1,"Exception":null}}}""",
            true
        },
    };

    [Theory]
    [MemberData(nameof(Envelopes))]
    public async Task Host_envelope_runs_the_job_and_gets_the_invocation_result(string envelope, bool isPastDue)
    {
        using var response = await client.PostAsync(
            new Uri("/" + TestEndpoints.TimerName, UriKind.Relative), new StringContent(envelope, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.Empty(body.GetProperty("Outputs").EnumerateObject());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
        var logs = body.GetProperty("Logs").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.Contains("dummy job ran", logs);
        var run = Assert.Single(TestEndpoints.TimerRuns);
        Assert.Equal(isPastDue, run.IsPastDue);
        Assert.Equal(TestEndpoints.TimerName, run.FunctionName);
    }

    [Fact]
    public async Task The_placeholder_refresh_timer_answers_the_host()
    {
        using var response = await client.PostAsync(
            new Uri("/RefreshStaleLinks", UriKind.Relative),
            new StringContent("""{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("Logs").ValueKind);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"Data\":")]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("")]
    public async Task A_broken_envelope_is_400_and_does_not_run_the_job(string envelope)
    {
        using var response = await client.PostAsync(
            new Uri("/" + TestEndpoints.TimerName, UriKind.Relative), new StringContent(envelope, Encoding.UTF8, "application/json"));

        await ErrorBody.AssertAsync(response, HttpStatusCode.BadRequest, ApiErrorCodes.BadRequest);
        Assert.Empty(TestEndpoints.TimerRuns);
    }
}

using System.Net.Http.Headers;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.MoneyKit.Tests;

public sealed class MoneyKitTelemetryTests : IDisposable
{
    private const string LinkJson = """{"link_id":"mk_tel_1","state":"connected"}""";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(10);

    private readonly DelayRecordingClock clock = new(RequestTimeout);
    private readonly FakeMoneyKit fake = new();

    public void Dispose() => fake.Dispose();

    [Fact]
    public async Task Every_attempt_is_counted_by_operation_and_status_class_and_each_429_as_throttled()
    {
        var next = 0;
        fake.Api = (_, _) => Task.FromResult(Interlocked.Increment(ref next) switch
        {
            1 => RateLimited(),
            2 => FakeMoneyKit.Error(503, "api_error.unavailable", "req-503"),
            _ => FakeMoneyKit.Json(200, LinkJson),
        });
        var client = fake.CreateClient(clock, new MoneyKitOptions { MaxRetries = 3, MaxRetryDelay = TimeSpan.FromSeconds(30), RequestTimeout = RequestTimeout });
        using var capture = TelemetryCapture.Begin(nameof(Every_attempt_is_counted_by_operation_and_status_class_and_each_429_as_throttled));

        var call = client.GetLinkAsync("mk_tel_1");
        clock.Advance(await clock.DelayAsync(0));
        clock.Advance(await clock.DelayAsync(1));
        Assert.Equal("mk_tel_1", (await call).LinkId);

        const string operation = "GET links/{id}";
        Assert.Equal(3, fake.ApiRequests.Count);
        Assert.Equal(1, capture.Sum("moneykit_bridge.moneykit.requests", ("operation", operation), ("status_class", "4xx")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.moneykit.requests", ("operation", operation), ("status_class", "5xx")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.moneykit.requests", ("operation", operation), ("status_class", "2xx")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.moneykit.throttled", ("operation", operation)));
        Assert.DoesNotContain(capture.Mine("moneykit_bridge.moneykit.requests"), m => m.Tags.Values.Any(v => v?.ToString()?.Contains("mk_tel_1", StringComparison.Ordinal) == true));
    }

    [Theory]
    [InlineData("GET", "links/mk_1", "GET links/{id}")]
    [InlineData("GET", "links/mk_1/transactions/sync", "GET links/{id}/transactions/sync")]
    [InlineData("POST", "links/mk%2F1/products", "POST links/{id}/products")]
    [InlineData("POST", "link-session/exchange-token", "POST link-session/exchange-token")]
    [InlineData("GET", "institutions", "GET institutions")]
    public void The_operation_tag_never_carries_a_link_id(string method, string path, string expected) =>
        Assert.Equal(expected, MoneyKitTelemetry.Operation(new HttpMethod(method), path));

    private static HttpResponseMessage RateLimited()
    {
        var response = FakeMoneyKit.Error(429, "api_error.rate_limit_exceeded", "req-429");
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
        return response;
    }
}

using System.Globalization;
using System.Net.Http.Headers;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.MoneyKit.Tests;

public sealed class MoneyKitClientRetryTests : IDisposable
{
    private const string LinkJson = """{"link_id":"mk_1","state":"connected"}""";
    private const string ExchangeJson = """{"link_id":"mk_1","link":""" + LinkJson + "}";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(10);

    private readonly DelayRecordingClock clock = new(RequestTimeout);
    private readonly FakeMoneyKit fake = new();

    public void Dispose() => fake.Dispose();

    private MoneyKitClient CreateClient(int maxRetries = 3, TimeSpan? maxRetryDelay = null) =>
        fake.CreateClient(clock, new MoneyKitOptions
        {
            MaxRetries = maxRetries,
            MaxRetryDelay = maxRetryDelay ?? TimeSpan.FromSeconds(30),
            RequestTimeout = RequestTimeout,
        });

    /// <summary>Answers the scripted responses in order, then 200 with the link.</summary>
    private void Script(params Func<HttpResponseMessage>[] responses)
    {
        var next = 0;
        fake.Api = (_, _) =>
        {
            var i = Interlocked.Increment(ref next) - 1;
            return Task.FromResult(i < responses.Length ? responses[i]() : FakeMoneyKit.Json(200, LinkJson));
        };
    }

    private static HttpResponseMessage RateLimited(Action<HttpResponseHeaders> retryAfter, string requestId = "req-429")
    {
        var response = FakeMoneyKit.Error(429, "api_error.rate_limit_exceeded", requestId);
        retryAfter(response.Headers);
        return response;
    }

    [Fact]
    public async Task RetryAfterInSeconds_IsWaitedExactly_ThenTheCallSucceeds()
    {
        Script(() => RateLimited(h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7))));
        var client = CreateClient();

        var call = client.GetLinkAsync("mk_1");
        Assert.Equal(TimeSpan.FromSeconds(7), await clock.DelayAsync(0));
        clock.Advance(TimeSpan.FromSeconds(7) - TimeSpan.FromMilliseconds(1));
        Assert.Single(fake.ApiRequests);
        Assert.False(call.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var link = await call;

        Assert.Equal("mk_1", link.LinkId);
        Assert.Equal(2, fake.ApiRequests.Count);
    }

    [Fact]
    public async Task RetryAfterAsHttpDate_IsWaitedUntilThatDate()
    {
        var until = clock.GetUtcNow().AddSeconds(20);
        Script(() => RateLimited(h => h.TryAddWithoutValidation("Retry-After", until.ToString("R", CultureInfo.InvariantCulture))));
        var client = CreateClient();

        var call = client.GetLinkAsync("mk_1");
        Assert.Equal(TimeSpan.FromSeconds(20), await clock.DelayAsync(0));
        clock.Advance(TimeSpan.FromSeconds(20));
        await call;

        Assert.Equal(2, fake.ApiRequests.Count);
    }

    [Fact]
    public async Task RetryAfterLongerThanMaxRetryDelay_FailsAtOnce_CarryingRetryAfter()
    {
        Script(() => RateLimited(h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromHours(1)), "req-slow"));
        var client = CreateClient(maxRetryDelay: TimeSpan.FromSeconds(30));

        var ex = await Assert.ThrowsAsync<MoneyKitException>(() => client.GetLinkAsync("mk_1"));

        Assert.Single(fake.ApiRequests);
        Assert.Empty(clock.Delays);
        Assert.Equal(429, ex.Status);
        Assert.Equal("api_error.rate_limit_exceeded", ex.ErrorCode);
        Assert.Equal("req-slow", ex.RequestId);
        Assert.Equal(TimeSpan.FromHours(1), ex.RetryAfter);
    }

    [Fact]
    public async Task ServerErrors_BackOffExponentiallyWithJitter_ThenSucceed()
    {
        Script(
            () => FakeMoneyKit.Error(503, "api_error.unavailable"),
            () => FakeMoneyKit.Json(502, "<html>bad gateway</html>"),
            () => FakeMoneyKit.Error(500, "api_error.internal"));
        var client = CreateClient();

        var call = client.GetLinkAsync("mk_1");
        var expected = new[] { (0.25, 0.5), (0.5, 1.0), (1.0, 2.0) };
        for (var i = 0; i < expected.Length; i++)
        {
            var delay = await clock.DelayAsync(i);
            Assert.InRange(delay.TotalSeconds, expected[i].Item1, expected[i].Item2);
            clock.Advance(delay);
        }

        await call;
        Assert.Equal(4, fake.ApiRequests.Count);
    }

    [Fact]
    public async Task ServerErrors_AreRetriedMaxRetriesTimes_WithDelaysCapped_ThenThrowTheLastError()
    {
        var n = 0;
        fake.Api = (_, _) => Task.FromResult(FakeMoneyKit.Error(503, "api_error.unavailable", $"req-{Interlocked.Increment(ref n)}"));
        var client = CreateClient(maxRetries: 5, maxRetryDelay: TimeSpan.FromSeconds(1));

        var call = Assert.ThrowsAsync<MoneyKitException>(() => client.GetLinkAsync("mk_1"));
        for (var i = 0; i < 5; i++)
        {
            var delay = await clock.DelayAsync(i);
            Assert.InRange(delay, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1));
            clock.Advance(delay);
        }

        var ex = await call;
        Assert.Equal(6, fake.ApiRequests.Count);
        Assert.Equal(503, ex.Status);
        Assert.Equal("req-6", ex.RequestId);
        Assert.Equal(5, clock.Delays.Count);
    }

    [Fact]
    public async Task WithoutRetries_A503FailsAtOnce()
    {
        Script(() => FakeMoneyKit.Error(503, "api_error.unavailable", "req-503"));
        var client = CreateClient(maxRetries: 0);

        var ex = await Assert.ThrowsAsync<MoneyKitException>(() => client.GetLinkAsync("mk_1"));

        Assert.Equal(503, ex.Status);
        Assert.Single(fake.ApiRequests);
    }

    [Fact]
    public async Task Timeout_IsRetried()
    {
        var attempts = 0;
        fake.Api = async (_, ct) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }

            return FakeMoneyKit.Json(200, LinkJson);
        };
        var client = CreateClient();

        var call = client.GetLinkAsync("mk_1");
        await Eventually.TrueAsync(() => fake.ApiRequests.Count == 1, "the first attempt");
        clock.Advance(RequestTimeout);
        var delay = await clock.DelayAsync(0);
        clock.Advance(delay);
        await call;

        Assert.Equal(2, fake.ApiRequests.Count);
    }

    [Fact]
    public async Task Timeouts_BeyondMaxRetries_ThrowWithStatusZero()
    {
        fake.Api = async (_, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return FakeMoneyKit.Json(200, LinkJson);
        };
        var client = CreateClient(maxRetries: 1);

        var call = Assert.ThrowsAsync<MoneyKitException>(() => client.GetLinkAsync("mk_1"));
        await Eventually.TrueAsync(() => fake.ApiRequests.Count == 1, "the first attempt");
        clock.Advance(RequestTimeout);
        clock.Advance(await clock.DelayAsync(0));
        await Eventually.TrueAsync(() => fake.ApiRequests.Count == 2, "the second attempt");
        clock.Advance(RequestTimeout);
        var ex = await call;

        Assert.Equal(0, ex.Status);
        Assert.IsType<TimeoutException>(ex.InnerException);
    }

    [Fact]
    public async Task ConnectionError_IsRetried()
    {
        var attempts = 0;
        fake.Api = (_, _) => Interlocked.Increment(ref attempts) == 1
            ? throw new HttpRequestException("Connection refused (127.0.0.1:5999)")
            : Task.FromResult(FakeMoneyKit.Json(200, LinkJson));
        var client = CreateClient();

        var call = client.GetLinkAsync("mk_1");
        clock.Advance(await clock.DelayAsync(0));
        await call;

        Assert.Equal(2, fake.ApiRequests.Count);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task APostThatMayHaveBeenApplied_IsNotRetried(int status)
    {
        Script(() => FakeMoneyKit.Error(status, "api_error.internal", "req-post"));
        var client = CreateClient();

        // A retry would wait for a clock nobody advances: fail instead of hanging.
        var ex = await Assert.ThrowsAsync<MoneyKitException>(() => client.ExchangeTokenAsync("exch-1").WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal((status, "req-post"), (ex.Status, ex.RequestId));
        Assert.Single(fake.ApiRequests);
        Assert.Empty(clock.Delays);
    }

    [Fact]
    public async Task APostThatTimedOut_IsNotRetried()
    {
        fake.Api = async (_, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return FakeMoneyKit.Json(200, ExchangeJson);
        };
        var client = CreateClient();

        var call = Assert.ThrowsAsync<MoneyKitException>(() => client.ExchangeTokenAsync("exch-1"));
        await Eventually.TrueAsync(() => fake.ApiRequests.Count == 1, "the first attempt");
        clock.Advance(RequestTimeout);
        var ex = await call.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.IsType<TimeoutException>(ex.InnerException);
        Assert.Single(fake.ApiRequests);
        Assert.Empty(clock.Delays);
    }

    [Fact]
    public async Task APostRefusedWith503OrAFailedConnect_IsRetried()
    {
        var attempts = 0;
        fake.Api = (_, _) => Interlocked.Increment(ref attempts) switch
        {
            1 => Task.FromResult(FakeMoneyKit.Error(503, "api_error.unavailable")),
            2 => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:5999)"),
            _ => Task.FromResult(FakeMoneyKit.Json(200, ExchangeJson)),
        };
        var client = CreateClient();

        var call = client.ExchangeTokenAsync("exch-1");
        clock.Advance(await clock.DelayAsync(0));
        clock.Advance(await clock.DelayAsync(1));

        Assert.Equal("mk_1", (await call).LinkId);
        Assert.Equal(3, fake.ApiRequests.Count);
    }

    [Fact]
    public async Task CancellationDuringBackoff_StopsWithoutAnotherAttempt()
    {
        Script(() => FakeMoneyKit.Error(503, "api_error.unavailable"));
        var client = CreateClient();
        using var cts = new CancellationTokenSource();

        var call = client.GetLinkAsync("mk_1", cts.Token);
        await clock.DelayAsync(0);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(fake.ApiRequests);
    }

    [Theory]
    [InlineData(400, "api_error.request.validation_failed")]
    [InlineData(403, "link_error.forbidden_action")]
    [InlineData(404, "link_error.not_found")]
    [InlineData(410, "link_error.deleted")]
    public async Task ClientErrors_AreNotRetried_AndMapToMoneyKitException(int status, string errorCode)
    {
        Script(() => FakeMoneyKit.Error(status, errorCode, "req-abc"));
        var client = CreateClient();

        var ex = await Assert.ThrowsAsync<MoneyKitException>(() => client.GetLinkAsync("mk_1"));

        Assert.Single(fake.ApiRequests);
        Assert.Equal(status, ex.Status);
        Assert.Equal(errorCode, ex.ErrorCode);
        Assert.Equal($"{errorCode} happened", ex.ErrorMessage);
        Assert.Equal("req-abc", ex.RequestId);
        Assert.Null(ex.RetryAfter);
        Assert.Contains("GET /links/mk_1", ex.Message, StringComparison.Ordinal);
        Assert.Contains(errorCode, ex.Message, StringComparison.Ordinal);
        Assert.Contains("req-abc", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadState_CarriesTheLinkErrorCode()
    {
        Script(() => FakeMoneyKit.Error(422, "link_error.bad_state", "req-422", linkErrorCode: "auth_expired"));
        var client = CreateClient();

        var ex = await Assert.ThrowsAsync<MoneyKitException>(() => client.SyncTransactionsAsync("mk_1", "cur", 100));

        Assert.Equal(422, ex.Status);
        Assert.Equal("link_error.bad_state", ex.ErrorCode);
        Assert.Equal("auth_expired", ex.LinkErrorCode);
        Assert.Equal("req-422", ex.RequestId);
        Assert.DoesNotContain("cur", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonJsonErrorBody_StillMapsStatusAndRequestId()
    {
        Script(() => FakeMoneyKit.Json(418, "<html>teapot</html>", "req-html"));
        var client = CreateClient();

        var ex = await Assert.ThrowsAsync<MoneyKitException>(() => client.GetLinkAsync("mk_1"));

        Assert.Equal(418, ex.Status);
        Assert.Null(ex.ErrorCode);
        Assert.Equal("req-html", ex.RequestId);
    }

    [Fact]
    public async Task UnreadableSuccessBody_IsAMoneyKitException()
    {
        Script(() => FakeMoneyKit.Json(200, """{"state":"connected"}""", "req-bad"));
        var client = CreateClient();

        var ex = await Assert.ThrowsAsync<MoneyKitException>(() => client.GetLinkAsync("mk_1"));

        Assert.Equal(200, ex.Status);
        Assert.Equal("req-bad", ex.RequestId);
        Assert.IsType<System.Text.Json.JsonException>(ex.InnerException);
    }
}

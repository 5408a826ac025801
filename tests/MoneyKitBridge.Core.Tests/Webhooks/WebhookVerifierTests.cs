using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.MoneyKit;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Webhooks;

/// <summary>
/// The verifier against a JWKS served by a fake MoneyKit transport (the process edge), so the tests can sign any
/// body with a key MoneyKit "publishes": shapes the sandbox never sends, clock skew, issuer, key-set failures.
/// </summary>
public sealed class WebhookVerifierTests : IDisposable
{
    private const string Kid = "mk_test_key";
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TestClock clock = new();
    private readonly JwksTransport transport;

    public WebhookVerifierTests() => transport = new JwksTransport(() => Jwks((Kid, key)));

    public void Dispose()
    {
        key.Dispose();
        transport.Dispose();
    }

    /// <summary>Serves <c>/.well-known/jwks.json</c> (or a failure) and counts the requests.</summary>
    private sealed class JwksTransport(Func<string> body) : HttpMessageHandler
    {
        private int requests;

        public int Requests => Volatile.Read(ref requests);

        public bool Fail { get; set; }

        public Func<string> Body { get; set; } = body;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal("/.well-known/jwks.json", request.RequestUri!.AbsolutePath);
            Interlocked.Increment(ref requests);
            return Task.FromResult(Fail
                ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("{\"error_code\":\"api_error.unavailable\",\"error_message\":\"down\",\"documentation_url\":null}", Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Body(), Encoding.UTF8, "application/json") });
        }
    }

    private static string Jwks(params (string Kid, ECDsa Key)[] keys) =>
        "{\"keys\":[" + string.Join(',', keys.Select(k =>
        {
            var q = k.Key.ExportParameters(false).Q;
            return $"{{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"{TestJwt.Base64UrlOf(q.X!)}\",\"y\":\"{TestJwt.Base64UrlOf(q.Y!)}\",\"kid\":\"{k.Kid}\",\"alg\":\"ES256\",\"use\":\"sig\"}}";
        })) + "]}";

    private WebhookVerifier Verifier(Action<WebhookOptions>? configure = null)
    {
        var options = new WebhookOptions { Issuer = "https://api.moneykit.com" };
        configure?.Invoke(options);
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        var moneyKit = new MoneyKitClient(
            new HttpClient(transport, disposeHandler: false),
            (_, _) => ValueTask.FromResult(new MoneyKitCredentials("client", "secret")),
            new MoneyKitOptions { BaseUrl = new Uri("http://127.0.0.1:5999/"), MaxRetries = 0 },
            clock,
            NullLogger<MoneyKitClient>.Instance);
        return new WebhookVerifier(new MoneyKitJwks(moneyKit, wrapped, clock, NullLogger<MoneyKitJwks>.Instance), wrapped, clock);
    }

    private long Now => clock.GetUtcNow().ToUnixTimeSeconds();

    private string Sign(byte[] body, long? iat = null, string iss = "https://api.moneykit.com", string header = $"{{\"alg\":\"ES256\",\"kid\":\"{Kid}\",\"typ\":\"JWT\"}}") =>
        TestJwt.SignEs256(key, header, TestJwt.Claims(iat ?? Now, body, iss));

    private static byte[] StateChanged(string timestamp = "2026-01-05T08:59:00", string extra = ",\"state\":\"error\",\"error\":\"auth_expired\",\"error_message\":\"x\"") =>
        Encoding.UTF8.GetBytes($"{{\"webhook_event\":\"link.state_changed\",\"webhook_major_version\":1,\"webhook_minor_version\":0,\"webhook_timestamp\":\"{timestamp}\",\"webhook_idempotency_key\":\"idem-1\",\"link_id\":\"mk_link_1\",\"link_tags\":[\"a\"]{extra}}}");

    [Fact]
    public async Task A_genuine_event_is_returned_with_its_fields_and_offsetless_timestamps_as_utc()
    {
        var body = StateChanged();

        var result = await Verifier().VerifyAsync(body, Sign(body));

        Assert.True(result.IsValid, result.Failure?.ErrorCode);
        var e = result.Event!;
        Assert.Equal(("link.state_changed", "idem-1", "mk_link_1", "error", "auth_expired"), (e.WebhookEvent, e.WebhookIdempotencyKey, e.LinkId, e.State, e.Error));
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 8, 59, 0, TimeSpan.Zero), e.WebhookTimestamp);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{\"webhook_event\":1,\"webhook_major_version\":1,\"webhook_timestamp\":\"2026-01-05T09:00:00Z\",\"webhook_idempotency_key\":\"k\",\"link_id\":\"l\"}")]
    [InlineData("{\"webhook_event\":\"link.state_changed\",\"webhook_major_version\":1,\"webhook_timestamp\":\"2026-01-05T09:00:00Z\",\"webhook_idempotency_key\":\"k\"}")]
    [InlineData("{\"webhook_event\":\"link.state_changed\",\"webhook_major_version\":\"1\",\"webhook_timestamp\":\"2026-01-05T09:00:00Z\",\"webhook_idempotency_key\":\"k\",\"link_id\":\"l\",\"state\":\"error\"}")]
    [InlineData("{\"webhook_event\":\"link.state_changed\",\"webhook_major_version\":1,\"webhook_timestamp\":\"yesterday\",\"webhook_idempotency_key\":\"k\",\"link_id\":\"l\",\"state\":\"error\"}")]
    [InlineData("{\"webhook_event\":\"link.state_changed\",\"webhook_major_version\":1,\"webhook_timestamp\":\"2026-01-05T09:00:00Z\",\"webhook_idempotency_key\":\"\",\"link_id\":\"l\",\"state\":\"error\"}")]
    [InlineData("{\"webhook_event\":\"link.state_changed\",\"webhook_major_version\":1,\"webhook_timestamp\":\"2026-01-05T09:00:00Z\",\"webhook_idempotency_key\":\"k\",\"link_id\":\"l\"}")]
    [InlineData("{\"webhook_event\":\"link.product_refresh\",\"webhook_major_version\":1,\"webhook_timestamp\":\"2026-01-05T09:00:00Z\",\"webhook_idempotency_key\":\"k\",\"link_id\":\"l\",\"state\":\"completed\"}")]
    public async Task Signed_bodies_that_are_not_events_are_refused_with_400(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var result = await Verifier().VerifyAsync(body, Sign(body));

        Assert.Equal((400, WebhookErrorCodes.InvalidBody), (result.Failure?.Status, result.Failure?.ErrorCode));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!!.e30.AAAA")]
    [InlineData("..")]
    [InlineData("e30.e30.")]
    public async Task Headers_that_are_not_a_compact_jws_are_refused_with_401(string header)
    {
        var body = StateChanged();

        var result = await Verifier().VerifyAsync(body, header);

        Assert.Equal((401, WebhookErrorCodes.MalformedSignature), (result.Failure?.Status, result.Failure?.ErrorCode));
        Assert.Equal(0, transport.Requests);
    }

    [Fact]
    public async Task Missing_kid_critical_headers_oversized_headers_and_missing_iat_are_refused()
    {
        var body = StateChanged();
        var verifier = Verifier();
        var noIat = TestJwt.SignEs256(key, $"{{\"alg\":\"ES256\",\"kid\":\"{Kid}\"}}", "{\"iss\":\"https://api.moneykit.com\",\"request_body_sha256\":\"" + Convert.ToHexStringLower(SHA256.HashData(body)) + "\"}");

        Assert.Equal(WebhookErrorCodes.MalformedSignature, (await verifier.VerifyAsync(body, Sign(body, header: "{\"alg\":\"ES256\"}"))).Failure?.ErrorCode);
        Assert.Equal(WebhookErrorCodes.MalformedSignature, (await verifier.VerifyAsync(body, Sign(body, header: $"{{\"alg\":\"ES256\",\"kid\":\"{Kid}\",\"crit\":[\"exp\"]}}"))).Failure?.ErrorCode);
        Assert.Equal(WebhookErrorCodes.MalformedSignature, (await verifier.VerifyAsync(body, Sign(body) + new string('A', WebhookVerifier.MaxSignatureLength))).Failure?.ErrorCode);
        Assert.Equal(WebhookErrorCodes.MalformedSignature, (await verifier.VerifyAsync(body, noIat)).Failure?.ErrorCode);
        Assert.Equal(WebhookErrorCodes.MissingSignature, (await verifier.VerifyAsync(body, "  ")).Failure?.ErrorCode);
    }

    [Fact]
    public async Task Iat_must_be_within_max_age_and_not_beyond_the_clock_skew_in_the_future()
    {
        var body = StateChanged();
        var verifier = Verifier();
        var options = new WebhookOptions();

        Assert.True((await verifier.VerifyAsync(body, Sign(body, Now - (long)options.MaxAge.TotalSeconds))).IsValid);
        Assert.Equal(WebhookErrorCodes.StaleSignature, (await verifier.VerifyAsync(body, Sign(body, Now - (long)options.MaxAge.TotalSeconds - 1))).Failure?.ErrorCode);
        Assert.True((await verifier.VerifyAsync(body, Sign(body, Now + (long)options.MaxClockSkew.TotalSeconds))).IsValid);
        Assert.Equal(WebhookErrorCodes.FutureSignature, (await verifier.VerifyAsync(body, Sign(body, Now + (long)options.MaxClockSkew.TotalSeconds + 1))).Failure?.ErrorCode);
    }

    [Fact]
    public async Task Issuer_is_checked_only_when_configured()
    {
        var body = StateChanged();

        Assert.Equal(WebhookErrorCodes.InvalidIssuer, (await Verifier().VerifyAsync(body, Sign(body, iss: "https://evil.example"))).Failure?.ErrorCode);
        Assert.True((await Verifier(o => o.Issuer = null).VerifyAsync(body, Sign(body, iss: "https://anything.example"))).IsValid);
    }

    [Fact]
    public async Task Body_hash_is_compared_on_raw_bytes_in_any_hex_case()
    {
        var body = StateChanged();
        var verifier = Verifier();
        var upper = TestJwt.SignEs256(key, $"{{\"alg\":\"ES256\",\"kid\":\"{Kid}\"}}", $"{{\"iss\":\"https://api.moneykit.com\",\"iat\":{Now},\"request_body_sha256\":\"{Convert.ToHexString(SHA256.HashData(body))}\"}}");
        var reformatted = Encoding.UTF8.GetBytes(" " + Encoding.UTF8.GetString(body));

        Assert.True((await verifier.VerifyAsync(body, upper)).IsValid);
        Assert.Equal(WebhookErrorCodes.BodyMismatch, (await verifier.VerifyAsync(reformatted, Sign(body))).Failure?.ErrorCode);
    }

    [Fact]
    public async Task An_oversized_body_is_refused_before_any_key_lookup()
    {
        var body = new byte[new WebhookOptions().MaxBodyBytes + 1];

        var result = await Verifier().VerifyAsync(body, Sign(body));

        Assert.Equal((413, WebhookErrorCodes.BodyTooLarge), (result.Failure?.Status, result.Failure?.ErrorCode));
        Assert.Equal(0, transport.Requests);
    }

    [Fact]
    public async Task A_failed_key_fetch_is_not_retried_until_the_interval_passes()
    {
        var body = StateChanged();
        var verifier = Verifier();
        transport.Fail = true;

        var failures = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => verifier.VerifyAsync(body, Sign(body))));
        Assert.All(failures, f => Assert.Equal((401, WebhookErrorCodes.KeysUnavailable), (f.Failure?.Status, f.Failure?.ErrorCode)));
        Assert.Equal(1, transport.Requests);

        transport.Fail = false;
        Assert.Equal(WebhookErrorCodes.KeysUnavailable, (await verifier.VerifyAsync(body, Sign(body))).Failure?.ErrorCode);
        Assert.Equal(1, transport.Requests);

        clock.Advance(new WebhookOptions().UnknownKidRefetchInterval);
        Assert.True((await verifier.VerifyAsync(body, Sign(body))).IsValid);
        Assert.Equal(2, transport.Requests);
    }

    [Fact]
    public async Task The_key_set_is_cached_for_the_configured_duration_then_fetched_again()
    {
        var body = StateChanged();
        var verifier = Verifier(o => o.JwksCacheDuration = TimeSpan.FromHours(24));

        for (var i = 0; i < 5; i++)
        {
            Assert.True((await verifier.VerifyAsync(body, Sign(body))).IsValid);
        }

        clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.True((await verifier.VerifyAsync(body, Sign(body))).IsValid);
        Assert.Equal(1, transport.Requests);

        // MoneyKit withdrew the key: once the cache expires it is no longer accepted.
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        transport.Body = () => Jwks(("mk_other", other));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(WebhookErrorCodes.UnknownKey, (await verifier.VerifyAsync(body, Sign(body))).Failure?.ErrorCode);
        Assert.Equal(2, transport.Requests);
    }

    [Fact]
    public async Task Unusable_keys_in_the_set_are_ignored_and_usable_ones_still_work()
    {
        var body = StateChanged();
        var q = key.ExportParameters(false).Q;
        var offCurveY = (byte[])q.Y!.Clone();
        offCurveY[^1] ^= 1;
        transport.Body = () => "{\"keys\":[" +
            "{\"kty\":\"RSA\",\"kid\":\"rsa\",\"n\":\"AQAB\",\"e\":\"AQAB\"}," +
            $"{{\"kty\":\"EC\",\"crv\":\"P-384\",\"kid\":\"p384\",\"x\":\"{TestJwt.Base64UrlOf(q.X!)}\",\"y\":\"{TestJwt.Base64UrlOf(q.Y!)}\"}}," +
            $"{{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"offcurve\",\"x\":\"{TestJwt.Base64UrlOf(q.X!)}\",\"y\":\"{TestJwt.Base64UrlOf(offCurveY)}\"}}," +
            $"{{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"{Kid}\",\"x\":\"{TestJwt.Base64UrlOf(q.X!)}\",\"y\":\"{TestJwt.Base64UrlOf(q.Y!)}\"}}]}}";
        var verifier = Verifier();

        Assert.True((await verifier.VerifyAsync(body, Sign(body))).IsValid);
        Assert.Equal(WebhookErrorCodes.UnknownKey, (await verifier.VerifyAsync(body, Sign(body, header: "{\"alg\":\"ES256\",\"kid\":\"offcurve\"}"))).Failure?.ErrorCode);
        Assert.Equal(WebhookErrorCodes.UnknownKey, (await verifier.VerifyAsync(body, Sign(body, header: "{\"alg\":\"ES256\",\"kid\":\"p384\"}"))).Failure?.ErrorCode);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Tests.Hosting;

namespace MoneyKitBridge.Functions.Tests.Auth;

public sealed class BearerAuthTests : IDisposable
{
    private const string ReadRoute = "/api/test/read";

    private readonly BridgeAppFactory factory = new(new Dictionary<string, string?>
    {
        ["Auth:RateLimitBurst"] = "3",
        ["Auth:RateLimitPerSecond"] = "0.5",
    });

    private readonly HttpClient client;

    public BearerAuthTests() => client = factory.CreateClient();

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    [Fact]
    public async Task Missing_token_is_unauthorized_with_a_bearer_challenge()
    {
        using var response = await TokenClient.GetWithTokenAsync(client, ReadRoute, token: null);

        await ErrorBody.AssertAsync(response, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Non_bearer_scheme_is_unauthorized()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ReadRoute, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BridgeAppFactory.ReaderId}:{BridgeAppFactory.ReaderSecret}")));

        using var response = await client.SendAsync(request);

        await ErrorBody.AssertAsync(response, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
    }

    public static TheoryData<string> ForgedTokens()
    {
        var now = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var claims = new { iss = "moneykit-bridge", aud = "moneykit-bridge", sub = BridgeAppFactory.AdminId, scope = "links:read", iat = now, nbf = now, exp = now + 600 };
        return new TheoryData<string>
        {
            // garbage
            "not-a-jwt",
            // other key
            Jwt.Sign(claims, RandomNumberGenerator.GetBytes(32)),
            // alg none
            Jwt.Sign(claims, [], alg: "none"),
            // tampered scope
            Tamper(Jwt.Sign(claims, BridgeAppFactory.SigningKey)),
            // other issuer
            Jwt.Sign(new { iss = "someone-else", aud = "moneykit-bridge", sub = "x", scope = "links:read", iat = now, nbf = now, exp = now + 600 }, BridgeAppFactory.SigningKey),
            // no expiry
            Jwt.Sign(new { iss = "moneykit-bridge", aud = "moneykit-bridge", sub = "x", scope = "links:read", iat = now }, BridgeAppFactory.SigningKey),
            // not yet valid
            Jwt.Sign(new { iss = "moneykit-bridge", aud = "moneykit-bridge", sub = "x", scope = "links:read", iat = now, nbf = now + 300, exp = now + 600 }, BridgeAppFactory.SigningKey),
        };
    }

    [Theory]
    [MemberData(nameof(ForgedTokens))]
    public async Task Invalid_tokens_are_unauthorized(string token)
    {
        using var response = await TokenClient.GetWithTokenAsync(client, ReadRoute, token);

        var body = await ErrorBody.AssertAsync(response, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
        Assert.DoesNotContain(token, body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_correctly_signed_token_forged_with_the_same_key_is_accepted()
    {
        // Proves the rejections above are about the forged property, not about hand-made tokens in general.
        var now = factory.Clock.GetUtcNow().ToUnixTimeSeconds();
        var token = Jwt.Sign(
            new { iss = "moneykit-bridge", aud = "moneykit-bridge", sub = "hand-made", scope = "links:read", iat = now, nbf = now, exp = now + 600 },
            BridgeAppFactory.SigningKey);

        using var response = await TokenClient.GetWithTokenAsync(client, ReadRoute, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Token_works_until_its_expiry_and_then_reports_expired()
    {
        var token = await TokenClient.GetTokenAsync(client, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);

        factory.Clock.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        using (var stillValid = await TokenClient.GetWithTokenAsync(client, ReadRoute, token))
        {
            Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        using var expired = await TokenClient.GetWithTokenAsync(client, ReadRoute, token);
        await ErrorBody.AssertAsync(expired, HttpStatusCode.Unauthorized, ApiErrorCodes.ExpiredAccessToken);
    }

    [Fact]
    public async Task Token_without_the_route_scope_is_forbidden()
    {
        var token = await TokenClient.GetTokenAsync(client, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/test/write/", UriKind.Relative))
        {
            Content = new StringContent("{\"value\":\"x\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.SendAsync(request);

        await ErrorBody.AssertAsync(response, HttpStatusCode.Forbidden, ApiErrorCodes.Forbidden);
    }

    [Fact]
    public async Task Write_scope_reaches_the_handler_with_the_bound_body()
    {
        var token = await TokenClient.GetTokenAsync(client, BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/test/write/", UriKind.Relative))
        {
            Content = new StringContent("{\"value\":\"x\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"{BridgeAppFactory.AdminId}:x", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authentication_is_checked_before_the_body_is_bound()
    {
        using var response = await client.PostAsync(
            new Uri("/api/test/write/", UriKind.Relative), new StringContent("{not json", Encoding.UTF8, "application/json"));

        await ErrorBody.AssertAsync(response, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task Each_client_has_its_own_rate_limit_with_retry_after_and_refill()
    {
        var reader = await TokenClient.GetTokenAsync(client, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);
        var admin = await TokenClient.GetTokenAsync(client, BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret);
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await TokenClient.GetWithTokenAsync(client, ReadRoute, reader);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using (var limited = await TokenClient.GetWithTokenAsync(client, ReadRoute, reader))
        {
            await ErrorBody.AssertAsync(limited, (HttpStatusCode)429, ApiErrorCodes.RateLimitExceeded);
            Assert.Equal(TimeSpan.FromSeconds(2), limited.Headers.RetryAfter?.Delta);
        }

        using (var otherClient = await TokenClient.GetWithTokenAsync(client, ReadRoute, admin))
        {
            Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        using var refilled = await TokenClient.GetWithTokenAsync(client, ReadRoute, reader);
        Assert.Equal(HttpStatusCode.OK, refilled.StatusCode);
    }

    [Fact]
    public async Task Guessing_secrets_at_the_token_endpoint_is_rate_limited()
    {
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await TokenClient.RequestFormAsync(client, BridgeAppFactory.ReaderId, "guess-" + i + "-0123456789abcdef");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var limited = await TokenClient.RequestFormAsync(client, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);

        await ErrorBody.AssertAsync(limited, (HttpStatusCode)429, ApiErrorCodes.RateLimitExceeded);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
    }

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1].Replace('-', '+').Replace('_', '/'))));
        var changed = payload.Replace("links:read", "links:write", StringComparison.Ordinal);
        parts[1] = Convert.ToBase64String(Encoding.UTF8.GetBytes(changed)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return string.Join('.', parts);
    }

    private static string Pad(string value) => value.PadRight(value.Length + ((4 - (value.Length % 4)) % 4), '=');
}

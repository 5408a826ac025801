using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Tests.Hosting;

namespace MoneyKitBridge.Functions.Tests.Auth;

public sealed class TokenEndpointTests : IDisposable
{
    private readonly BridgeAppFactory factory = new();
    private readonly HttpClient client;

    public TokenEndpointTests() => client = factory.CreateClient();

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    public static TheoryData<string> CredentialStyles => new() { "form", "json", "basic" };

    [Theory]
    [MemberData(nameof(CredentialStyles))]
    public async Task Issues_a_short_lived_HS256_token_for_each_credential_style(string style)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenClient.TokenUri);
        switch (style)
        {
            case "form":
                request.Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["client_id"] = BridgeAppFactory.AdminId,
                    ["client_secret"] = BridgeAppFactory.AdminSecret,
                });
                break;
            case "json":
                request.Content = JsonContent.Create(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["client_id"] = BridgeAppFactory.AdminId,
                    ["client_secret"] = BridgeAppFactory.AdminSecret,
                });
                break;
            default:
                request.Headers.Authorization = Basic(BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret);
                request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" });
                break;
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(900, body.GetProperty("expires_in").GetInt32());
        var token = body.GetProperty("access_token").GetString()!;
        Assert.Equal("HS256", Jwt.Header(token).GetProperty("alg").GetString());
        Assert.True(Jwt.HasValidSignature(token, BridgeAppFactory.SigningKey));
        var payload = Jwt.Payload(token);
        var now = factory.Clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(BridgeAppFactory.AdminId, payload.GetProperty("sub").GetString());
        Assert.Equal("links:read links:write", payload.GetProperty("scope").GetString());
        Assert.Equal(now, payload.GetProperty("iat").GetInt64());
        Assert.Equal(now + 900, payload.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task Issued_token_opens_a_protected_route_for_that_client()
    {
        var token = await TokenClient.GetTokenAsync(client, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);

        using var response = await TokenClient.GetWithTokenAsync(client, "/api/test/read", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BridgeAppFactory.ReaderId, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString());
    }

    [Fact]
    public async Task Requested_scope_subset_limits_the_token()
    {
        var token = await TokenClient.GetTokenAsync(client, BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret, scope: "links:read");

        Assert.Equal("links:read", Jwt.Payload(token).GetProperty("scope").GetString());
        using var content = JsonContent.Create(new { value = "x" });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/test/write/", UriKind.Relative)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        await ErrorBody.AssertAsync(response, HttpStatusCode.Forbidden, ApiErrorCodes.Forbidden);
    }

    [Fact]
    public async Task Scope_the_client_does_not_hold_is_refused()
    {
        using var response = await TokenClient.RequestFormAsync(client, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret, scope: "links:write");

        await ErrorBody.AssertAsync(response, HttpStatusCode.Forbidden, ApiErrorCodes.Forbidden);
    }

    [Theory]
    [InlineData(BridgeAppFactory.ReaderId, "wrong-secret-0123456789")]
    [InlineData("no-such-client", BridgeAppFactory.ReaderSecret)]
    [InlineData(BridgeAppFactory.ReaderId, BridgeAppFactory.AdminSecret)]
    [InlineData(BridgeAppFactory.ReaderId, "")]
    [InlineData("", BridgeAppFactory.ReaderSecret)]
    public async Task Bad_credentials_are_unauthorized(string clientId, string clientSecret)
    {
        using var response = await TokenClient.RequestFormAsync(client, clientId, clientSecret);

        var body = await ErrorBody.AssertAsync(response, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
        Assert.DoesNotContain(BridgeAppFactory.ReaderSecret, body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_basic_header_is_unauthorized()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenClient.TokenUri)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "not base64 at all!");

        using var response = await client.SendAsync(request);

        await ErrorBody.AssertAsync(response, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task Basic_and_body_credentials_together_are_a_bad_request()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenClient.TokenUri)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_secret"] = BridgeAppFactory.AdminSecret,
            }),
        };
        request.Headers.Authorization = Basic(BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);

        using var response = await client.SendAsync(request);

        await ErrorBody.AssertAsync(response, HttpStatusCode.BadRequest, ApiErrorCodes.BadRequest);
    }

    [Theory]
    [InlineData("password")]
    [InlineData("")]
    public async Task Other_grant_types_fail_validation(string grantType)
    {
        using var response = await client.PostAsync(TokenClient.TokenUri, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["client_id"] = BridgeAppFactory.ReaderId,
            ["client_secret"] = BridgeAppFactory.ReaderSecret,
        }));

        await ErrorBody.AssertAsync(response, HttpStatusCode.UnprocessableEntity, ApiErrorCodes.ValidationFailed);
    }

    [Fact]
    public async Task Malformed_json_is_a_bad_request()
    {
        using var response = await client.PostAsync(TokenClient.TokenUri, new StringContent("{\"grant_type\":", Encoding.UTF8, "application/json"));

        await ErrorBody.AssertAsync(response, HttpStatusCode.BadRequest, ApiErrorCodes.BadRequest);
    }

    [Fact]
    public async Task Unsupported_content_type_is_415()
    {
        using var response = await client.PostAsync(TokenClient.TokenUri, new StringContent("grant_type=client_credentials", Encoding.UTF8, "text/plain"));

        await ErrorBody.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, ApiErrorCodes.UnsupportedMediaType);
    }

    [Fact]
    public async Task Oversized_body_is_413()
    {
        var huge = new string('a', 64 * 1024);
        using var response = await client.PostAsync(TokenClient.TokenUri, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = huge,
        }));

        await ErrorBody.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, ApiErrorCodes.PayloadTooLarge);
    }

    [Fact]
    public async Task Wrong_method_is_405_with_moneykit_body()
    {
        using var response = await client.GetAsync(TokenClient.TokenUri);

        await ErrorBody.AssertAsync(response, HttpStatusCode.MethodNotAllowed, ApiErrorCodes.MethodNotAllowed);
    }

    private static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}")));
}

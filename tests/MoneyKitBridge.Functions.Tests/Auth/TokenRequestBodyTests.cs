using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Tests.Api;
using MoneyKitBridge.Functions.Tests.Hosting;

namespace MoneyKitBridge.Functions.Tests.Auth;

/// <summary>
/// The token route reads its form, JSON and HTTP Basic input through the shared readers: malformed input is a
/// MoneyKit-shaped 4xx, never a 5xx, and a stale bearer header does not get in the way.
/// </summary>
public sealed class TokenRequestBodyTests : IDisposable
{
    private const string ValidForm = "grant_type=client_credentials&client_id=" + BridgeAppFactory.ReaderId + "&client_secret=" + BridgeAppFactory.ReaderSecret;

    private readonly BridgeAppFactory factory = new();
    private readonly HttpClient client;

    public TokenRequestBodyTests() => client = factory.CreateClient();

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    [Theory]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvbGQifQ.c3RhbGU")]
    [InlineData("Bearer not-even-a-jwt")]
    [InlineData("bearer x")]
    public async Task A_stale_bearer_header_is_ignored_when_the_form_holds_valid_credentials(string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenClient.TokenUri)
        {
            Content = new StringContent(ValidForm, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Basic_credentials_are_still_honoured()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenClient.TokenUri)
        {
            Content = new StringContent("grant_type=client_credentials", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BridgeAppFactory.ReaderId}:{BridgeAppFactory.ReaderSecret}")));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string, string, int> MalformedBodies => new()
    {
        { "NUL in a form field", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=reader%00app&client_secret=x", 422 },
        { "NUL in the secret", "application/x-www-form-urlencoded", ValidForm + "%00", 422 },
        { "control character in a field name", "application/x-www-form-urlencoded", "grant%01type=client_credentials", 422 },
        { "multipart without boundary", "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n--x--\r\n", 422 },
        { "multipart with an empty boundary", "multipart/form-data; boundary=", "--\r\n", 422 },
        { "multipart never closed", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_", 422 },
        { "unknown charset", "application/x-www-form-urlencoded; charset=no-such-charset", ValidForm, 422 },
        { "JSON repeating a key", "application/json", "{\"grant_type\":\"client_credentials\",\"grant_type\":\"client_credentials\"}", 422 },
        { "JSON with an unpaired surrogate", "application/json", "{\"client_id\":\"\\ud800\"}", 422 },
        { "JSON with a NUL", "application/json", "{\"client_id\":\"a\\u0000b\"}", 422 },
        { "JSON that is not JSON", "application/json", "grant_type=client_credentials", 400 },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_bodies_are_MoneyKit_shaped_4xx(string name, string contentType, string body, int status)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await client.PostAsync(TokenClient.TokenUri, content);

        await MoneyKitErrors.AssertAsync(response, (HttpStatusCode)status, status == 422 ? ApiErrorCodes.ValidationFailed : ApiErrorCodes.BadRequest);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public async Task Invalid_utf8_in_a_json_string_is_422()
    {
        using var content = new ByteArrayContent([.. "{\"client_id\":\""u8, 0xff, 0xfe, .. "\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync(TokenClient.TokenUri, content);

        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.UnprocessableEntity, ApiErrorCodes.ValidationFailed);
    }

    [Theory]
    [InlineData("Basic " + "AA==")]
    [InlineData("Basic cmVhZGVyLWFwcDolMDA=")] // reader-app:%00
    [InlineData("Basic //79")]
    public async Task Malformed_basic_credentials_are_401(string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenClient.TokenUri)
        {
            Content = new StringContent("grant_type=client_credentials", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await client.SendAsync(request);

        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
    }
}

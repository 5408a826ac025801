using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// What a MoneyKit SDK does on the wire, for the walk test: client-credentials token at <c>auth/token</c>, then
/// bearer calls with <c>MoneyKit-Version</c> (the SDK's version, 2023-02-18 by default) against one base URL. Pointing
/// it at the sandbox or at the bridge changes only <see cref="BaseUrl"/> and the credentials (and the transport that
/// reaches that URL).
/// </summary>
public sealed class MoneyKitSdkClient(HttpClient transport, Uri baseUrl, string clientId, string clientSecret, string version = MoneyKitSdkClient.DefaultVersion)
{
    public const string DefaultVersion = "2023-02-18";
    private string? token;

    /// <summary>The <c>MoneyKit-Version</c> every call sends and every answer must name.</summary>
    public string Version { get; } = version;

    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>The token call, as the SDK's access token API makes it.</summary>
    public async Task<JsonNode> GenerateAccessTokenAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUrl, "auth/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_secret"] = clientSecret,
            }),
        };
        request.Headers.Add("MoneyKit-Version", Version);
        var (status, body) = await SendAsync(request);
        Assert.True(status == HttpStatusCode.OK, $"token at {BaseUrl}: {(int)status} {body.ToJsonString()}");
        token = body["access_token"]!.GetValue<string>();
        return body;
    }

    public Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(string path) => CallAsync(HttpMethod.Get, path, null);

    public Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(string path, JsonNode body) => CallAsync(HttpMethod.Post, path, body);

    /// <summary>A successful GET's body.</summary>
    public async Task<JsonNode> GetOkAsync(string path)
    {
        var (status, body) = await GetAsync(path);
        Assert.True(status == HttpStatusCode.OK, $"GET {new Uri(BaseUrl, path)}: {(int)status} {body.ToJsonString()}");
        return body;
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> CallAsync(HttpMethod method, string path, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUrl, path))
        {
            Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("MoneyKit-Version", Version);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? throw new InvalidOperationException("No token yet."));
        return await SendAsync(request);
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpRequestMessage request)
    {
        using var response = await transport.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted || text.Length > 0)
        {
            Assert.Equal(Version, response.Headers.GetValues("MoneyKit-Version").Single());
        }

        return (response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject());
    }
}

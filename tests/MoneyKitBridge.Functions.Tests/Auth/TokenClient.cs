using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace MoneyKitBridge.Functions.Tests.Auth;

/// <summary>Gets tokens from <c>POST /api/auth/token</c> the way an app would.</summary>
public static class TokenClient
{
    public static readonly Uri TokenUri = new("/api/auth/token", UriKind.Relative);

    public static Task<HttpResponseMessage> RequestFormAsync(HttpClient client, string clientId, string clientSecret, string? scope = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        };
        if (scope is not null)
        {
            fields["scope"] = scope;
        }

        return client.PostAsync(TokenUri, new FormUrlEncodedContent(fields));
    }

    public static async Task<string> GetTokenAsync(HttpClient client, string clientId, string clientSecret, string? scope = null)
    {
        using var response = await RequestFormAsync(client, clientId, clientSecret, scope);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    public static async Task<HttpResponseMessage> GetWithTokenAsync(HttpClient client, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }
}

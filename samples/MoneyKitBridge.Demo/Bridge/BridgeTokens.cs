using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace MoneyKitBridge.Demo.Bridge;

/// <summary>The bridge bearer token of this backend: taken with the client credentials, reused until shortly before it expires.</summary>
public sealed class BridgeTokens(IHttpClientFactory httpClients, IOptions<DemoOptions> options, TimeProvider time) : IDisposable
{
    public const string HttpClientName = "bridge-token";

    private static readonly TimeSpan RenewBefore = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim gate = new(1, 1);
    private string? token;
    private DateTimeOffset expiresAt;

    /// <summary>A valid token; <paramref name="renew"/> forces a new one (the bridge refused the cached one).</summary>
    /// <exception cref="BridgeException">The bridge refused the credentials or did not answer.</exception>
    public async Task<string> GetAsync(bool renew, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!renew && token is not null && time.GetUtcNow() < expiresAt - RenewBefore)
            {
                return token;
            }

            var settings = options.Value;
            using var http = httpClients.CreateClient(HttpClientName);
            using var body = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = settings.ClientId,
                ["client_secret"] = settings.ClientSecret,
            });
            using var response = await http.PostAsync(new Uri(settings.BridgeUrl!, "api/auth/token"), body, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new BridgeException((int)response.StatusCode, "The bridge refused the demo's client credentials.");
            }

            var answer = await response.Content.ReadFromJsonAsync(DemoJsonContext.Default.TokenAnswer, cancellationToken)
                ?? throw new BridgeException((int)response.StatusCode, "The bridge answered the token request without a body.");
            token = answer.AccessToken;
            expiresAt = time.GetUtcNow() + TimeSpan.FromSeconds(answer.ExpiresIn);
            return token;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}

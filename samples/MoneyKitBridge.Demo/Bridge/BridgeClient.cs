using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace MoneyKitBridge.Demo.Bridge;

/// <summary>Calls the bridge's MoneyKit-shaped API with this backend's bearer token (renewed once when the bridge answers 401).</summary>
public sealed class BridgeClient(HttpClient http, BridgeTokens tokens, IOptions<DemoOptions> options)
{
    public Task<BridgeAnswer> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<BridgeAnswer> PostAsync(string path, string json, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, json, cancellationToken);

    public Task<BridgeAnswer> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    private async Task<BridgeAnswer> SendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        var answer = await SendOnceAsync(method, path, json, renew: false, cancellationToken);
        return answer.Status == (int)HttpStatusCode.Unauthorized ? await SendOnceAsync(method, path, json, renew: true, cancellationToken) : answer;
    }

    private async Task<BridgeAnswer> SendOnceAsync(HttpMethod method, string path, string? json, bool renew, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(options.Value.BridgeUrl!, "api/" + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(renew, cancellationToken));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return new BridgeAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException e)
        {
            throw new BridgeException("The bridge did not answer.", e);
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoneyKit.Sandbox;
using MoneyKitBridge.Functions.Tests.Api;
using MoneyKitBridge.Functions.Tests.Auth;
using MoneyKitBridge.Functions.Tests.Hosting;

namespace MoneyKitBridge.Functions.Tests.Institutions;

/// <summary>
/// The institution routes of a fresh app (empty tables) over MoneyKit's moods: no copy and MoneyKit refusing is a
/// MoneyKit-shaped 503 with Retry-After; once filled, a MoneyKit outage past the TTL still serves the stale copy.
/// </summary>
public sealed class InstitutionEndpointsTests : IAsyncLifetime, IDisposable
{
    private SandboxServer sandbox = null!;
    private BridgeAppFactory factory = null!;
    private HttpClient control = null!;

    public async Task InitializeAsync()
    {
        factory = new BridgeAppFactory(new Dictionary<string, string?> { ["MoneyKit:MaxRetries"] = "0", ["Institutions:LocalMaxAge"] = "00:00:00" });
        sandbox = await SandboxServer.StartAsync(new SandboxOptions(), factory.Clock);
        factory.Settings["MoneyKit:BaseUrl"] = sandbox.BaseAddress.ToString();
        control = new HttpClient { BaseAddress = sandbox.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        control.Dispose();
        await factory.DisposeAsync();
        await sandbox.DisposeAsync();
    }

    public void Dispose()
    {
        control.Dispose();
        factory.Dispose();
    }

    [Fact]
    public async Task Without_a_copy_MoneyKits_refusal_is_503_and_a_filled_copy_outlives_an_outage()
    {
        using var app = factory.CreateClient();
        var token = await TokenClient.GetTokenAsync(app, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);
        await FaultAsync(400);

        using (var noCopy = await GetAsync(app, "/api/institutions", token))
        {
            await MoneyKitErrors.AssertAsync(noCopy, HttpStatusCode.ServiceUnavailable, "api_error.service_unavailable");
            Assert.NotNull(noCopy.Headers.RetryAfter);
        }

        using (var cleared = await control.DeleteAsync(new Uri("sandbox/faults", UriKind.Relative)))
        {
            cleared.EnsureSuccessStatusCode();
        }

        Assert.Equal(3, (await InstitutionIdsAsync(app, token)).Count);

        await FaultAsync(503);
        factory.Clock.Advance(TimeSpan.FromDays(2)); // far past the TTL: revalidation fails in the background
        token = await TokenClient.GetTokenAsync(app, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(3, (await InstitutionIdsAsync(app, token)).Count);
            using var one = await GetAsync(app, "/api/institutions/oauth_bank", token);
            Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        }
    }

    private async Task FaultAsync(int status)
    {
        using var response = await control.PostAsJsonAsync(new Uri("sandbox/faults", UriKind.Relative), new JsonObject { ["path_prefix"] = "/institutions", ["status"] = status, ["count"] = 1000 });
        response.EnsureSuccessStatusCode();
    }

    private static async Task<List<string>> InstitutionIdsAsync(HttpClient app, string token)
    {
        using var response = await GetAsync(app, "/api/institutions", token);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("institutions").EnumerateArray().Select(i => i.GetProperty("institution_id").GetString()!)];
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient app, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await app.SendAsync(request);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// Issue 11, "link state is what MoneyKit last said": every state the sandbox can put a linked link in reaches the
/// app as a signed <c>link.state_changed</c> webhook, and then every app read that returns the link object shows the
/// state and error code MoneyKit's own <c>GET /links/{id}</c> shows.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class LinkStateReadTests(ApiFixture fixture)
{
    private const string AllTime = "start_date=2000-01-01&end_date=2100-01-01";

    /// <summary>MoneyKit's link error codes (the sandbox can put a link in each).</summary>
    private static readonly string[] ErrorCodes =
    [
        "system_error", "provider_error", "institution_error", "user_error", "auth_expired", "no_accounts",
        "user_setup_required", "invalid_credentials", "user_oauth_denied", "user_input_incorrect", "incomplete",
    ];

    [Fact]
    public async Task Every_read_shows_the_state_and_error_code_of_each_state_change_MoneyKit_sent()
    {
        const string user = "state-reads-1";
        await using var relay = await WebhookRelay.StartAsync(fixture.App);
        var (linkId, _) = await fixture.ConnectAsync(user);
        await UpstreamSendAsync(HttpMethod.Patch, $"links/{linkId}", new JsonObject { ["webhook"] = relay.Url.ToString() });
        await AssertReadsMatchUpstreamAsync(linkId, user, "connected");

        var steps = new List<(string Name, Func<Task> Act)>();
        foreach (var code in ErrorCodes)
        {
            steps.Add(($"error {code}", () => SetStateAsync(linkId, new JsonObject { ["state"] = "error", ["error_code"] = code })));
            if (code is "auth_expired" or "incomplete")
            {
                steps.Add(("connected", () => SetStateAsync(linkId, new JsonObject { ["state"] = "connected" })));
            }
        }

        steps.Add(("disconnected", () => SetStateAsync(linkId, new JsonObject { ["state"] = "disconnected" })));
        steps.Add(("connected", () => SetStateAsync(linkId, new JsonObject { ["state"] = "connected" })));
        steps.Add(("reset (MoneyKit's sandbox route)", () => UpstreamSendAsync(HttpMethod.Post, $"links/{linkId}/reset", null)));
        steps.Add(("connected", () => SetStateAsync(linkId, new JsonObject { ["state"] = "connected" })));

        foreach (var (name, act) in steps)
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(1)); // each change is newer than the last
            await act();
            Assert.True(await relay.NextAnswerAsync() == 200, $"the app refused the webhook of step '{name}'");
            await AssertReadsMatchUpstreamAsync(linkId, user, name);
        }

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await SetStateAsync(linkId, new JsonObject { ["state"] = "deleted" });
        Assert.Equal(200, await relay.NextAnswerAsync());
        var (_, upstream) = await fixture.UpstreamAsync($"links/{linkId}");
        var link = await fixture.GetJsonAsync($"/api/links/{linkId}");
        Assert.Equal(StateOf(upstream), StateOf(link));
        Assert.Equal(("deleted", (string?)null), StateOf(link));
        Assert.Empty((await fixture.GetJsonAsync($"/api/users/{user}/links")).GetProperty("links").EnumerateObject());
        using var read = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/transactions", await fixture.ReaderTokenAsync());
        await MoneyKitErrors.AssertAsync(read, HttpStatusCode.Gone, "link_error.deleted");
    }

    private async Task AssertReadsMatchUpstreamAsync(string linkId, string user, string step)
    {
        var (status, upstream) = await fixture.UpstreamAsync($"links/{linkId}");
        Assert.Equal(200, status);
        var expected = StateOf(upstream);
        var reads = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["GET /links/{id}"] = await fixture.GetJsonAsync($"/api/links/{linkId}"),
            ["GET /links/{id}/transactions"] = (await fixture.GetJsonAsync($"/api/links/{linkId}/transactions?{AllTime}")).GetProperty("link"),
            ["GET /links/{id}/accounts"] = (await fixture.GetJsonAsync($"/api/links/{linkId}/accounts")).GetProperty("link"),
            ["GET /users/{id}/links"] = Assert.Single((await fixture.GetJsonAsync($"/api/users/{user}/links")).GetProperty("links").EnumerateObject()).Value,
            ["GET /users/{id}/transactions"] = Assert.Single((await fixture.GetJsonAsync($"/api/users/{user}/transactions?{AllTime}")).GetProperty("links").EnumerateArray()),
        };
        foreach (var (read, link) in reads)
        {
            Assert.True(expected == StateOf(link), $"after '{step}': MoneyKit says {expected}, {read} says {StateOf(link)}");
            Assert.Equal(linkId, link.GetProperty("link_id").GetString());
        }
    }

    private static (string? State, string? ErrorCode) StateOf(JsonElement link) =>
        (link.GetProperty("state").GetString(), link.TryGetProperty("error_code", out var code) ? code.GetString() : null);

    private Task SetStateAsync(string linkId, JsonObject body) => fixture.SandboxPostAsync($"sandbox/links/{linkId}/state", body);

    /// <summary>A call to MoneyKit's API (the sandbox) with the sandbox app's credentials.</summary>
    private async Task UpstreamSendAsync(HttpMethod method, string path, JsonObject? body)
    {
        using var tokenResponse = await fixture.Sandbox.PostAsync(new Uri("auth/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "sandbox_client_id",
            ["client_secret"] = "sandbox_client_secret",
        }));
        tokenResponse.EnsureSuccessStatusCode();
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await fixture.Sandbox.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}

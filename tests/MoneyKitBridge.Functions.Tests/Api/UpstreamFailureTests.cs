using System.Net;
using System.Text.Json.Nodes;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// What the app answers when MoneyKit refuses or fails a write: MoneyKit's own 4xx passed through, an outage as a
/// MoneyKit-shaped 503 (never a bare 500), and nothing stored either way.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class UpstreamFailureTests(ApiFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        using var _ = await fixture.Sandbox.DeleteAsync(new Uri("sandbox/faults", UriKind.Relative));
    }

    [Fact]
    public async Task An_unknown_exchangeable_token_is_MoneyKits_422_and_stores_nothing()
    {
        using var response = await fixture.PostJsonAsync(
            "/api/link-session/exchange-token", await fixture.AdminTokenAsync(), new JsonObject { ["exchangeable_token"] = "ext_not_issued" });

        await MoneyKitErrors.AssertAsync(response, (HttpStatusCode)422, "link_session_error.invalid_token_exchange");
    }

    [Fact]
    public async Task An_unknown_institution_is_MoneyKits_404()
    {
        using var response = await fixture.PostJsonAsync("/api/link-session", await fixture.AdminTokenAsync(), new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = "upstream-user" },
            ["institution_id"] = "no_such_bank",
        });

        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.NotFound, "institution_error.not_found");
    }

    [Fact]
    public async Task Reconnecting_another_users_link_is_refused_by_MoneyKit()
    {
        var (linkId, _) = await fixture.ConnectAsync("upstream-owner");

        using var response = await fixture.PostJsonAsync("/api/link-session", await fixture.AdminTokenAsync(), new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = "upstream-intruder" },
            ["existing_link_id"] = linkId,
        });

        await MoneyKitErrors.AssertAsync(response, (HttpStatusCode)422, "link_session_error.forbidden_config");
        var (_, upstream) = await fixture.UpstreamAsync($"links/{linkId}");
        Assert.Contains("bridge_user:upstream-owner", upstream.GetProperty("link_tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task A_MoneyKit_outage_during_link_session_is_503_not_500()
    {
        await InjectOutageAsync("/link-session");

        using var response = await fixture.PostJsonAsync("/api/link-session", await fixture.AdminTokenAsync(), new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = "upstream-outage" },
        });

        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "api_error.service_unavailable");
        Assert.Equal("120", Assert.Single(response.Headers.GetValues("Retry-After")));
    }

    [Fact]
    public async Task A_MoneyKit_outage_during_delete_is_503_and_the_link_stays()
    {
        var (linkId, _) = await fixture.ConnectAsync("upstream-delete-outage");
        await InjectOutageAsync($"/links/{linkId}");

        using (var response = await fixture.SendAsync(HttpMethod.Delete, $"/api/links/{linkId}", await fixture.AdminTokenAsync()))
        {
            await MoneyKitErrors.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "api_error.service_unavailable");
        }

        var link = await fixture.GetJsonAsync($"/api/links/{linkId}");
        Assert.Equal("connected", link.GetProperty("state").GetString());
        var transactions = await fixture.GetJsonAsync($"/api/links/{linkId}/transactions");
        Assert.Equal(2, transactions.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_MoneyKit_outage_during_refresh_is_503_and_the_limit_is_not_spent()
    {
        var (linkId, _) = await fixture.ConnectAsync("upstream-refresh-outage");
        fixture.Clock.Advance(TimeSpan.FromMinutes(61));
        await InjectOutageAsync($"/links/{linkId}/products");
        var admin = await fixture.AdminTokenAsync();

        using (var failed = await fixture.PostJsonAsync($"/api/links/{linkId}/products", admin, new JsonObject { ["products"] = new JsonArray("transactions") }))
        {
            await MoneyKitErrors.AssertAsync(failed, HttpStatusCode.ServiceUnavailable, "api_error.service_unavailable");
        }

        using var _ = await fixture.Sandbox.DeleteAsync(new Uri("sandbox/faults", UriKind.Relative));
        using var retried = await fixture.PostJsonAsync($"/api/links/{linkId}/products", admin, new JsonObject { ["products"] = new JsonArray("transactions") });
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
    }

    /// <summary>MoneyKit answers 503 with a Retry-After longer than the client waits, so it gives up at once.</summary>
    private Task InjectOutageAsync(string pathPrefix) =>
        fixture.SandboxPostAsync("sandbox/faults", new JsonObject
        {
            ["path_prefix"] = pathPrefix,
            ["status"] = 503,
            ["retry_after_seconds"] = 120,
            ["count"] = 10,
        });
}

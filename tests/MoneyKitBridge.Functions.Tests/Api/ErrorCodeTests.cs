using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Tests.Auth;
using MoneyKitBridge.Functions.Tests.Hosting;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>Every error code of the app routes, each produced the way it happens in production.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class ErrorCodeTests(ApiFixture fixture)
{
    /// <summary>Every bearer-protected app route (method, path with <c>{link}</c>, needs a scope beyond links:read: links:write or links:sensitive).</summary>
    public static TheoryData<string, string, bool> Routes() => new()
    {
        { "GET", "/api/links/{link}", false },
        { "GET", "/api/links/{link}/accounts", false },
        { "GET", "/api/links/{link}/transactions", false },
        { "GET", "/api/links/{link}/transactions/sync", false },
        { "GET", "/api/users/some-user/links", false },
        { "GET", "/api/users/some-user/transactions", false },
        { "GET", "/api/users/some-user/accounts", false },
        { "GET", "/api/institutions", false },
        { "GET", "/api/institutions/instant_bank", false },
        { "GET", "/api/links/{link}/accounts/numbers", true },
        { "GET", "/api/links/{link}/identity", true },
        { "POST", "/api/links/{link}/products", true },
        { "DELETE", "/api/links/{link}", true },
        { "POST", "/api/link-session", true },
        { "POST", "/api/link-session/exchange-token", true },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Missing_and_invalid_tokens_are_401_unauthorized(string method, string path, bool write)
    {
        _ = write;
        var route = await RouteAsync(path);

        using (var missing = await SendAsync(method, route, token: null))
        {
            await MoneyKitErrors.AssertAsync(missing, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
        }

        using var bad = await SendAsync(method, route, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
        await MoneyKitErrors.AssertAsync(bad, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_token_without_the_routes_scope_is_403(string method, string path, bool write)
    {
        var route = await RouteAsync(path);
        var reader = await fixture.ReaderTokenAsync();
        var calls = (await fixture.UpstreamCallsAsync()).Count;

        using var response = await SendAsync(method, route, reader);

        if (write)
        {
            await MoneyKitErrors.AssertAsync(response, HttpStatusCode.Forbidden, ApiErrorCodes.Forbidden);
            Assert.Equal(calls, (await fixture.UpstreamCallsAsync()).Count);
        }
        else
        {
            Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task An_expired_token_is_401_expired_access_token()
    {
        var link = await fixture.RichLinkAsync();
        var token = await fixture.ReaderTokenAsync();
        using (var fresh = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{link.LinkId}/transactions", token))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        fixture.Clock.Advance(TimeSpan.FromMinutes(16)); // tokens live 15 minutes

        using var expired = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{link.LinkId}/transactions", token);
        await MoneyKitErrors.AssertAsync(expired, HttpStatusCode.Unauthorized, ApiErrorCodes.ExpiredAccessToken);
    }

    [Fact]
    public async Task A_rotated_client_secret_is_refused_and_the_new_one_works()
    {
        const string rotated = "reader-secret-rotated-0042";
        var link = await fixture.RichLinkAsync();
        var issuedBefore = await fixture.ReaderTokenAsync();
        var original = fixture.Configuration["Auth:Clients"];
        try
        {
            fixture.Configuration["Auth:Clients"] = BridgeAppFactory.ClientsJson(readerSecret: rotated);

            using (var old = await TokenClient.RequestFormAsync(fixture.App, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret))
            {
                await MoneyKitErrors.AssertAsync(old, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
            }

            var token = await TokenClient.GetTokenAsync(fixture.App, BridgeAppFactory.ReaderId, rotated);
            using var read = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{link.LinkId}/transactions", token);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);

            // Tokens issued before the rotation stay valid until they expire (they are checked against the signing key).
            using var earlier = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{link.LinkId}/transactions", issuedBefore);
            Assert.Equal(HttpStatusCode.OK, earlier.StatusCode);
        }
        finally
        {
            fixture.Configuration["Auth:Clients"] = original;
        }
    }

    [Fact]
    public async Task Transactions_not_granted_are_403_forbidden_action()
    {
        var (linkId, _) = await fixture.ConnectAsync("errors-no-transactions", products: ["accounts"]);

        using (var response = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/transactions", await fixture.ReaderTokenAsync()))
        {
            var body = await MoneyKitErrors.AssertAsync(response, HttpStatusCode.Forbidden, "link_error.forbidden_action");
            Assert.Equal("Transactions access not permitted", body.GetProperty("error_message").GetString());
        }

        var (status, _) = await fixture.UpstreamAsync($"links/{linkId}/transactions");
        Assert.Equal(403, status); // MoneyKit refuses the same way
    }

    [Theory]
    [InlineData("GET", "/api/links/mk_unknown")]
    [InlineData("GET", "/api/links/mk_unknown/accounts")]
    [InlineData("GET", "/api/links/mk_unknown/transactions")]
    [InlineData("POST", "/api/links/mk_unknown/products")]
    [InlineData("DELETE", "/api/links/mk_unknown")]
    public async Task An_unknown_link_is_404_link_not_found(string method, string path)
    {
        using var response = await SendAsync(method, path, await fixture.AdminTokenAsync());

        var body = await MoneyKitErrors.AssertAsync(response, HttpStatusCode.NotFound, "link_error.not_found");
        Assert.Equal("Link not found.", body.GetProperty("error_message").GetString());
    }

    [Fact]
    public async Task Delete_disconnects_at_MoneyKit_then_reads_are_410_and_a_second_delete_changes_nothing()
    {
        const string user = "errors-delete";
        var (linkId, _) = await fixture.ConnectAsync(user, beforeExchange: id => fixture.SeedAsync(id, 10, 30));
        var admin = await fixture.AdminTokenAsync();

        using (var deleted = await fixture.SendAsync(HttpMethod.Delete, $"/api/links/{linkId}", admin))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        Assert.Single(await fixture.UpstreamCallsAsync(), c => c.Method == "DELETE" && c.Path == $"/links/{linkId}");
        var (_, upstreamLink) = await fixture.UpstreamAsync($"links/{linkId}");
        Assert.Equal("deleted", upstreamLink.GetProperty("state").GetString());

        using (var again = await fixture.SendAsync(HttpMethod.Delete, $"/api/links/{linkId}", admin))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Single(await fixture.UpstreamCallsAsync(), c => c.Method == "DELETE" && c.Path == $"/links/{linkId}");

        foreach (var path in new[] { $"/api/links/{linkId}/transactions", $"/api/links/{linkId}/accounts" })
        {
            using var read = await fixture.SendAsync(HttpMethod.Get, path, admin);
            var body = await MoneyKitErrors.AssertAsync(read, HttpStatusCode.Gone, "link_error.deleted");
            Assert.Equal("This link was deleted at some earlier time.", body.GetProperty("error_message").GetString());
        }

        using (var refresh = await fixture.SendAsync(HttpMethod.Post, $"/api/links/{linkId}/products", admin))
        {
            await MoneyKitErrors.AssertAsync(refresh, HttpStatusCode.Gone, "link_error.deleted");
        }

        var tombstone = await fixture.GetJsonAsync($"/api/links/{linkId}");
        Assert.Equal("deleted", tombstone.GetProperty("state").GetString()); // as MoneyKit answers GET /links/{id}

        var links = await fixture.GetJsonAsync($"/api/users/{user}/links");
        Assert.Empty(links.GetProperty("links").EnumerateObject());
        var transactions = await fixture.GetJsonAsync($"/api/users/{user}/transactions?start_date=2000-01-01");
        Assert.Equal(0, transactions.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_link_never_synced_and_not_connected_is_422_bad_state()
    {
        // The first sync is refused by MoneyKit (the link broke right after Connect): no data, link in error.
        var (linkId, _) = await fixture.ConnectAsync("errors-bad-state", beforeExchange: id => fixture.SandboxPostAsync("sandbox/faults", new JsonObject
        {
            ["path_prefix"] = $"/links/{id}/transactions/sync",
            ["status"] = 422,
            ["error_code"] = "link_error.bad_state",
            ["count"] = 1,
        }));

        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/transactions", await fixture.ReaderTokenAsync());

        var body = await MoneyKitErrors.AssertAsync(response, (HttpStatusCode)422, "link_error.bad_state");
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("link_error_code").GetString()));
    }

    [Fact]
    public async Task A_fresh_link_can_be_refreshed_and_again_within_MoneyKits_hourly_limit_is_429_without_spending_a_call()
    {
        var (linkId, _) = await fixture.ConnectAsync("errors-refresh");
        var admin = await fixture.AdminTokenAsync();
        var refreshCalls = () => fixture.UpstreamCallsAsync().ContinueWith(t => t.Result.Count(c => c.Path == $"/links/{linkId}/products"), TaskScheduler.Default);

        // The data pulled when the link was created is not a refresh: MoneyKit accepts one at once.
        using (var accepted = await fixture.PostJsonAsync($"/api/links/{linkId}/products", admin, new JsonObject { ["products"] = new JsonArray("transactions") }))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        Assert.Equal(1, await refreshCalls());

        // The refresh just accepted counts: MoneyKit would rate-limit another one within the hour.
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        using (var limited = await fixture.PostJsonAsync($"/api/links/{linkId}/products", admin, new JsonObject { ["products"] = new JsonArray("transactions") }))
        {
            await MoneyKitErrors.AssertAsync(limited, HttpStatusCode.TooManyRequests, ApiErrorCodes.RateLimitExceeded);
            var retryAfter = int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(59 * 60, retryAfter);
        }

        Assert.Equal(1, await refreshCalls());

        fixture.Clock.Advance(TimeSpan.FromMinutes(60));
        admin = await fixture.AdminTokenAsync();
        using (var again = await fixture.PostJsonAsync($"/api/links/{linkId}/products", admin, new JsonObject { ["products"] = new JsonArray("transactions") }))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }

        Assert.Equal(2, await refreshCalls());
    }

    private async Task<string> RouteAsync(string path) =>
        path.Replace("{link}", (await fixture.RichLinkAsync()).LinkId, StringComparison.Ordinal);

    private Task<HttpResponseMessage> SendAsync(string method, string path, string? token) =>
        fixture.SendAsync(new HttpMethod(method), path, token, method == "GET" ? null : new StringContent("{}", Encoding.UTF8, "application/json"));
}

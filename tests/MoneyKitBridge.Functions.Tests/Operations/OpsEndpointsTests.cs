using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Tests.Api;

namespace MoneyKitBridge.Functions.Tests.Operations;

/// <summary>
/// Issue 15 part 3, the operator view's JSON: scope <c>ops:read</c> and only it, the list's filters and paging, one
/// link's health after a sync and a webhook, MoneyKit-shaped 4xx for bad input, and nothing secret in any answer.
/// Other tests of the group add links to the same tables, so list assertions are about this test's own links.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed partial class OpsEndpointsTests(ApiFixture fixture)
{
    [Fact]
    public async Task Only_an_ops_read_token_reads_the_operator_routes()
    {
        var (linkId, _) = await fixture.ConnectAsync("ops-scope-1");
        foreach (var path in new[] { "/api/ops/links", $"/api/ops/links/{linkId}" })
        {
            using (var anonymous = await fixture.SendAsync(HttpMethod.Get, path, token: null))
            {
                await MoneyKitErrors.AssertAsync(anonymous, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
            }

            foreach (var token in new[] { await fixture.ReaderTokenAsync(), await fixture.AdminTokenAsync(), await fixture.SdkTokenAsync() })
            {
                using var forbidden = await fixture.SendAsync(HttpMethod.Get, path, token);
                await MoneyKitErrors.AssertAsync(forbidden, HttpStatusCode.Forbidden, ApiErrorCodes.Forbidden);
            }

            await fixture.GetJsonAsync(path, await fixture.OpsTokenAsync());
        }

        // The operator token reads nothing else: no link data.
        using var data = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/accounts", await fixture.OpsTokenAsync());
        await MoneyKitErrors.AssertAsync(data, HttpStatusCode.Forbidden, ApiErrorCodes.Forbidden);
    }

    [Fact]
    public async Task The_list_filters_by_state_error_and_staleness_and_pages_through_every_match()
    {
        await using var relay = await WebhookRelay.StartAsync(fixture.App);
        var healthy = (await fixture.ConnectAsync("ops-list-1")).LinkId;
        var broken = (await fixture.ConnectAsync("ops-list-2")).LinkId;
        await fixture.UpstreamSendAsync(HttpMethod.Patch, $"links/{broken}", new JsonObject { ["webhook"] = relay.Url.ToString() });
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await fixture.SandboxPostAsync($"sandbox/links/{broken}/state", new JsonObject { ["state"] = "error", ["error_code"] = "auth_expired" });
        Assert.Equal(200, await relay.NextAnswerAsync());
        var ops = await fixture.OpsTokenAsync();

        var errors = await fixture.GetJsonAsync("/api/ops/links?state=error&error=auth_expired&size=100", ops);
        var errorLinks = Links(errors);
        Assert.Contains(broken, errorLinks.Keys);
        Assert.DoesNotContain(healthy, errorLinks.Keys);
        Assert.All(errorLinks.Values, l =>
        {
            Assert.Equal("error", l.GetProperty("state").GetString());
            Assert.Equal("auth_expired", l.GetProperty("error_code").GetString());
            Assert.False(l.GetProperty("healthy").GetBoolean());
        });

        var connected = Links(await fixture.GetJsonAsync("/api/ops/links?state=connected&size=100", ops));
        Assert.Contains(healthy, connected.Keys);
        Assert.DoesNotContain(broken, connected.Keys);
        Assert.True(connected[healthy].GetProperty("healthy").GetBoolean());
        Assert.Equal(JsonValueKind.String, connected[healthy].GetProperty("next_refresh_due").ValueKind);
        Assert.Empty(Links(await fixture.GetJsonAsync("/api/ops/links?state=connected&error=auth_expired", ops)));

        // Just synced: fresh, not stale.
        Assert.Contains(healthy, Links(await fixture.GetJsonAsync("/api/ops/links?stale=false&size=100", ops)).Keys);
        Assert.DoesNotContain(healthy, Links(await fixture.GetJsonAsync("/api/ops/links?stale=true&size=100", ops)).Keys);

        // Pages of one: every match exactly once, in link id order, and the total matches.
        var all = await fixture.GetJsonAsync("/api/ops/links?size=100", ops);
        var total = all.GetProperty("total").GetInt32();
        Assert.InRange(total, 2, 100);
        var walked = new List<string>();
        for (var page = 1; page <= total + 1; page++)
        {
            var answer = await fixture.GetJsonAsync($"/api/ops/links?size=1&page={page}", ops);
            Assert.Equal(total, answer.GetProperty("total").GetInt32());
            Assert.Equal(page, answer.GetProperty("page").GetInt32());
            walked.AddRange(Links(answer).Keys);
        }

        Assert.Equal(total, walked.Count);
        Assert.Equal(walked.Order(StringComparer.Ordinal), walked);
        Assert.Equal(Links(all).Keys.Order(StringComparer.Ordinal), walked);
        Assert.Contains(healthy, walked);
        Assert.Contains(broken, walked);
    }

    [Fact]
    public async Task A_links_health_shows_its_products_syncs_lag_next_refresh_and_webhook_outcomes()
    {
        await using var relay = await WebhookRelay.StartAsync(fixture.App);
        var (linkId, _) = await fixture.ConnectAsync("ops-detail-1", beforeExchange: id => fixture.SeedAsync(id, 12, 20));
        await fixture.UpstreamSendAsync(HttpMethod.Patch, $"links/{linkId}", new JsonObject { ["webhook"] = relay.Url.ToString() });
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await fixture.SandboxPostAsync($"sandbox/links/{linkId}/state", new JsonObject { ["state"] = "error", ["error_code"] = "user_setup_required" });
        Assert.Equal(200, await relay.NextAnswerAsync());

        var detail = await fixture.GetJsonAsync($"/api/ops/links/{linkId}", await fixture.OpsTokenAsync());
        var link = detail.GetProperty("link");
        Assert.Equal(linkId, link.GetProperty("link_id").GetString());
        Assert.Equal("error", link.GetProperty("state").GetString());
        Assert.Equal("user_setup_required", link.GetProperty("error_code").GetString());
        Assert.False(link.GetProperty("healthy").GetBoolean());
        Assert.Equal(JsonValueKind.Number, link.GetProperty("lag_seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, link.GetProperty("next_refresh_due").ValueKind); // the planner refreshes connected links only

        var transactions = Assert.Single(detail.GetProperty("products").EnumerateArray(), p => p.GetProperty("product").GetString() == "transactions");
        Assert.Equal(JsonValueKind.String, transactions.GetProperty("refreshed_at").ValueKind);

        var lastSync = detail.GetProperty("last_sync");
        Assert.True(lastSync.GetProperty("rows_changed").GetInt32() >= 12, lastSync.ToString());
        Assert.True(lastSync.GetProperty("duration_ms").GetDouble() >= 0);
        Assert.NotEmpty(lastSync.GetProperty("outcome").GetString()!);
        Assert.Equal(lastSync.ToString(), detail.GetProperty("sync_history")[0].ToString());

        var stateChange = Assert.Single(detail.GetProperty("webhook_events").EnumerateArray(), e => e.GetProperty("event").GetString() == "link.state_changed");
        Assert.Equal("applied", stateChange.GetProperty("outcome").GetString());
        Assert.Equal("user_setup_required", stateChange.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Nothing_the_operator_routes_answer_holds_a_token_secret_or_account_number()
    {
        await using var relay = await WebhookRelay.StartAsync(fixture.App);
        var (linkId, exchange) = await fixture.ConnectAsync("ops-secrets-1", products: ["accounts", "account_numbers", "transactions"]);
        await fixture.UpstreamSendAsync(HttpMethod.Patch, $"links/{linkId}", new JsonObject { ["webhook"] = relay.Url.ToString() });
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await fixture.SandboxPostAsync($"sandbox/links/{linkId}/state", new JsonObject { ["state"] = "error", ["error_code"] = "auth_expired" });
        Assert.Equal(200, await relay.NextAnswerAsync());

        var numbers = await fixture.GetJsonAsync($"/api/links/{linkId}/accounts/numbers", await fixture.SdkTokenAsync());
        var secrets = Strings(numbers).Where(s => s.Length >= 6 && s.All(char.IsAsciiDigit)).ToList();
        Assert.NotEmpty(secrets);
        secrets.AddRange(Strings(exchange).Where(s => s.Length >= 16 && s != linkId)); // whatever else the exchange answered that is long enough to be a token

        var ops = await fixture.OpsTokenAsync();
        foreach (var path in new[] { "/api/ops/links?size=100", $"/api/ops/links/{linkId}" })
        {
            using var response = await fixture.SendAsync(HttpMethod.Get, path, ops);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.All(secrets, s => Assert.DoesNotContain(s, text, StringComparison.Ordinal));
            Assert.All(Names(JsonDocument.Parse(text).RootElement), name =>
                Assert.False(name.Contains("token", StringComparison.Ordinal) || name.Contains("secret", StringComparison.Ordinal)
                    || name.Contains("number", StringComparison.Ordinal) || name == "webhook", $"property {name} in {path}"));
        }
    }

    [Theory]
    [InlineData("size=0", "query.size")]
    [InlineData("size=101", "query.size")]
    [InlineData("page=0", "query.page")]
    [InlineData("page=abc", "query.page")]
    [InlineData("page=-1", "query.page")]
    [InlineData("stale=maybe", "query.stale")]
    [InlineData("state=Connected!", "query.state")]
    [InlineData("error=%27%20or%201%20eq%201", "query.error")]
    [InlineData("state=error&state=connected", "query.state")]
    public async Task Bad_list_parameters_are_a_MoneyKit_shaped_422(string query, string location)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/ops/links?" + query, await fixture.OpsTokenAsync());
        var body = await MoneyKitErrors.AssertAsync(response, HttpStatusCode.UnprocessableEntity, ApiErrorCodes.ValidationFailed);
        Assert.Contains(location, MoneyKitErrors.Locations(body));
    }

    [Theory]
    [InlineData("no-such-link")]
    [InlineData("%20")]
    public async Task An_unknown_link_is_MoneyKits_404(string linkId)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/ops/links/" + linkId, await fixture.OpsTokenAsync());
        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.NotFound, "link_error.not_found");
    }

    [Fact]
    public async Task The_page_is_self_contained_html_that_keeps_the_token_in_memory()
    {
        using var response = await fixture.App.GetAsync(new Uri("/api/ops", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<link rel=\"icon\" href=\"data:,\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("localStorage", html, StringComparison.Ordinal);
        Assert.DoesNotContain("sessionStorage.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("document.cookie", html, StringComparison.Ordinal);
    }

    private static Dictionary<string, JsonElement> Links(JsonElement page) =>
        page.GetProperty("links").EnumerateArray().ToDictionary(l => l.GetProperty("link_id").GetString()!, l => l, StringComparer.Ordinal);

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    private static IEnumerable<string> Names(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Names(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Names),
        _ => [],
    };
}

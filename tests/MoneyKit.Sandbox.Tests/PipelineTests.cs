using System.Net;
using System.Net.Http.Json;

namespace MoneyKit.Sandbox.Tests;

public sealed class PipelineTests
{
    [Fact]
    public async Task Every_response_has_a_request_id_and_echoes_the_version()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "institutions");
        request.Headers.Add("MoneyKit-Version", "2023-02-18");
        using var response = await sandbox.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("2023-02-18", response.Headers.GetValues("MoneyKit-Version").Single());
        using var other = await sandbox.Http.GetAsync("nowhere");
        await SandboxHarness.AssertErrorAsync(other, 404, "api_error.not_found");
        Assert.NotEqual(response.Headers.GetValues("X-Request-Id").Single(), other.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task Injected_faults_answer_503_drop_the_connection_and_give_http_date_retry_after()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        (await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path_prefix = "/institutions", status = 503, count = 1 })).EnsureSuccessStatusCode();
        (await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path_prefix = "/institutions", drop_connection = true, count = 1 })).EnsureSuccessStatusCode();
        (await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path_prefix = "/institutions", status = 429, retry_after_seconds = 120, retry_after_http_date = true })).EnsureSuccessStatusCode();

        using (var unavailable = await sandbox.Http.GetAsync("institutions"))
        {
            await SandboxHarness.AssertErrorAsync(unavailable, 503, "api_error.service_unavailable");
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => sandbox.Http.GetAsync("institutions"));

        using (var limited = await sandbox.Http.GetAsync("institutions"))
        {
            await SandboxHarness.AssertErrorAsync(limited, 429, "api_error.rate_limit_exceeded");
            Assert.Equal(sandbox.Clock.GetUtcNow() + TimeSpan.FromSeconds(120), limited.Headers.RetryAfter!.Date);
        }

        using (var ok = await sandbox.Http.GetAsync("institutions"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var log = await sandbox.GetJsonArrayAsync("sandbox/requests");
        Assert.Equal([503, 0, 429, 200], log.Where(e => e!["path"]!.GetValue<string>() == "/institutions").Select(e => e!["status"]!.GetValue<int>()));
        Assert.DoesNotContain(log, e => e!["path"]!.GetValue<string>().StartsWith("/sandbox", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fault_with_skip_lets_that_many_matching_calls_through_first()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        using (var refused = await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path_prefix = "/institutions", status = 503, skip = -1 }))
        {
            await SandboxHarness.AssertErrorAsync(refused, 422, "api_error.request.validation_failed");
        }

        (await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path_prefix = "/institutions", status = 503, count = 2, skip = 2 })).EnsureSuccessStatusCode();
        for (var i = 0; i < 5; i++)
        {
            (await sandbox.Http.GetAsync("institutions")).Dispose();
        }

        var log = await sandbox.GetJsonArrayAsync("sandbox/requests");
        Assert.Equal([200, 200, 503, 503, 200], log.Where(e => e!["path"]!.GetValue<string>() == "/institutions").Select(e => e!["status"]!.GetValue<int>()));
    }

    [Fact]
    public async Task The_request_log_shows_how_the_feed_was_walked_which_products_a_refresh_asked_for_and_which_fault_answered()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "log-user" }))["link_id"]!.GetValue<string>();
        var pages = await sandbox.SyncAllAsync(linkId, cursor: null, size: 1);
        var fault = await SandboxHarness.ReadJsonAsync(await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path_prefix = $"/links/{linkId}/products", status = 503 }));
        (await sandbox.RefreshAsync(linkId, "transactions")).Dispose();
        (await sandbox.RefreshAsync(linkId, "transactions", "accounts")).Dispose();

        var log = await sandbox.GetJsonArrayAsync("sandbox/requests");
        var walk = log.Where(e => e!["path"]!.GetValue<string>() == $"/links/{linkId}/transactions/sync").ToList();
        Assert.True(pages.Count >= 2, "the link's history should take several pages of one");
        Assert.Equal(pages.Count, walk.Count);
        Assert.Equal("?size=1", walk[0]!["query"]!.GetValue<string>());
        for (var i = 0; i < walk.Count; i++)
        {
            Assert.Equal(pages[i]["cursor"]!["next"]!.GetValue<string>(), walk[i]!["next_cursor"]!.GetValue<string>());
            Assert.Equal(pages[i]["has_more"]!.GetValue<bool>(), walk[i]!["has_more"]!.GetValue<bool>());
            Assert.True(walk[i]!["received_at"]!.GetValue<DateTime>() <= walk[i]!["at"]!.GetValue<DateTime>());
            if (i > 0)
            {
                Assert.Contains("cursor=" + Uri.EscapeDataString(walk[i - 1]!["next_cursor"]!.GetValue<string>()), walk[i]!["query"]!.GetValue<string>(), StringComparison.Ordinal);
            }
        }

        var refreshes = log.Where(e => e!["path"]!.GetValue<string>() == $"/links/{linkId}/products").ToList();
        Assert.Equal([503, 202], refreshes.Select(e => e!["status"]!.GetValue<int>()));
        Assert.Equal(fault["fault_id"]!.GetValue<string>(), refreshes[0]!["fault"]!.GetValue<string>());
        Assert.Null(refreshes[0]!["products"]);
        Assert.Null(refreshes[1]!["fault"]);
        Assert.Equal(["transactions", "accounts"], refreshes[1]!["products"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(sandbox.Clock.GetUtcNow().UtcDateTime, refreshes[1]!["received_at"]!.GetValue<DateTime>());
    }

    [Fact]
    public async Task Invalid_options_are_refused_at_start()
    {
        var options = new SandboxOptions { AccessTokenLifetime = TimeSpan.Zero };
        await Assert.ThrowsAsync<ArgumentException>(() => SandboxServer.StartAsync(options));
    }
}

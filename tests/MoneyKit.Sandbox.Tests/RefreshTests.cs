using System.Net;
using System.Net.Http.Json;

namespace MoneyKit.Sandbox.Tests;

public sealed class RefreshTests
{
    [Fact]
    public async Task A_product_refreshes_once_per_interval_and_429_says_when_to_retry()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();

        using (var first = await sandbox.RefreshAsync(linkId, "transactions"))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        sandbox.Clock.Advance(TimeSpan.FromMinutes(20));
        using (var tooSoon = await sandbox.RefreshAsync(linkId, "transactions"))
        {
            await SandboxHarness.AssertErrorAsync(tooSoon, 429, "api_error.rate_limit_exceeded");
            Assert.Equal(TimeSpan.FromMinutes(40), tooSoon.Headers.RetryAfter!.Delta);
        }

        using (var otherProduct = await sandbox.RefreshAsync(linkId, "accounts"))
        {
            Assert.Equal(HttpStatusCode.Accepted, otherProduct.StatusCode);
        }

        sandbox.Clock.Advance(TimeSpan.FromMinutes(40));
        await sandbox.AuthenticateAsync(); // the first token lived one hour
        using var later = await sandbox.RefreshAsync(linkId, "transactions");
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);

        var refreshes = (await sandbox.Http.GetFromJsonAsync<List<RequestLogRow>>("sandbox/requests"))!
            .Where(r => r.method == "POST" && r.path == $"/links/{linkId}/products").Select(r => r.status).ToList();
        Assert.Equal([202, 429, 202, 202], refreshes);
    }

    [Fact]
    public async Task Refreshes_per_link_are_capped()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o =>
        {
            o.MaxRefreshesPerLink = 2;
            o.ProductRefreshInterval = TimeSpan.Zero;
        });
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();
        (await sandbox.RefreshAsync(linkId, "transactions")).EnsureSuccessStatusCode();
        (await sandbox.RefreshAsync(linkId, "transactions")).EnsureSuccessStatusCode();
        using var third = await sandbox.RefreshAsync(linkId, "transactions");
        await SandboxHarness.AssertErrorAsync(third, 429, "api_error.rate_limit_exceeded");
        Assert.NotNull(third.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_slow_refresh_completes_when_its_duration_has_passed()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.RefreshDuration = TimeSpan.FromSeconds(30));
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();
        var createdAt = (await sandbox.GetJsonAsync($"links/{linkId}"))["products"]!["accounts"]!["refreshed_at"]!.GetValue<DateTime>();
        var balance = (await sandbox.GetJsonAsync($"links/{linkId}/accounts"))["accounts"]![0]!["balances"]!["current"]!.GetValue<decimal>();

        sandbox.Clock.Advance(TimeSpan.FromMinutes(1));
        (await sandbox.RefreshAsync(linkId, "accounts")).EnsureSuccessStatusCode();
        var during = (await sandbox.GetJsonAsync($"links/{linkId}"))["products"]!["accounts"]!;
        Assert.Equal(createdAt, during["refreshed_at"]!.GetValue<DateTime>());
        Assert.Equal(sandbox.Clock.GetUtcNow().UtcDateTime, during["last_attempted_at"]!.GetValue<DateTime>().ToUniversalTime());

        sandbox.Clock.Advance(TimeSpan.FromSeconds(30));
        var after = await sandbox.GetJsonAsync($"links/{linkId}/accounts");
        Assert.Equal(sandbox.Clock.GetUtcNow().UtcDateTime, after["link"]!["products"]!["accounts"]!["refreshed_at"]!.GetValue<DateTime>().ToUniversalTime());
        Assert.NotEqual(balance, after["accounts"]![0]!["balances"]!["current"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Refresh_validates_products_and_link_state()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u", products = new[] { "accounts" } }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();
        using (var unknown = await sandbox.RefreshAsync(linkId, "bananas"))
        {
            await SandboxHarness.AssertErrorAsync(unknown, 422, "api_error.request.validation_failed");
        }

        using (var notGranted = await sandbox.RefreshAsync(linkId, "transactions"))
        {
            await SandboxHarness.AssertErrorAsync(notGranted, 403, "link_error.forbidden_action");
        }

        using (var reset = await sandbox.Http.PostAsync($"links/{linkId}/reset", null))
        {
            Assert.Equal("auth_expired", (await SandboxHarness.ReadJsonAsync(reset))["error_code"]!.GetValue<string>());
        }

        using var badState = await sandbox.RefreshAsync(linkId, "accounts");
        await SandboxHarness.AssertErrorAsync(badState, 422, "link_error.bad_state");

        using var notJson = await sandbox.Http.PostAsync($"links/{linkId}/products", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        await SandboxHarness.AssertErrorAsync(notJson, 422, "api_error.request.validation_failed");
    }

    private sealed record RequestLogRow(string method, string path, int status, DateTime at);
}

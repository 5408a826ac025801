using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MoneyKit.Sandbox.Tests;

public sealed class TransactionListTests
{
    [Fact]
    public async Task Pages_are_newest_first_with_total_and_cover_every_transaction_once()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        using (var seed = await sandbox.Http.PostAsJsonAsync($"sandbox/links/{linkId}/transactions/seed", new { count = 250, days = 60 }))
        {
            seed.EnsureSuccessStatusCode();
        }

        await sandbox.AuthenticateAsync();
        var seen = new List<JsonObject>();
        for (var page = 1; page <= 3; page++)
        {
            var json = await sandbox.GetJsonAsync($"links/{linkId}/transactions?page={page}&size=100");
            Assert.Equal(252, json["total"]!.GetValue<int>());
            Assert.Equal(page, json["page"]!.GetValue<int>());
            var items = json["transactions"]!.AsArray().Select(t => t!.AsObject()).ToList();
            Assert.Equal(page < 3 ? 100 : 52, items.Count);
            Assert.Equal(items.Count, json["size"]!.GetValue<int>());
            Assert.Equal(linkId, json["link"]!["link_id"]!.GetValue<string>());
            Assert.Equal(3, json["accounts"]!.AsArray().Count);
            seen.AddRange(items);
        }

        Assert.Equal(252, seen.Select(t => t["transaction_id"]!.GetValue<string>()).Distinct().Count());
        var keys = seen.Select(t => t["datetime"]!.GetValue<string>()).ToList();
        Assert.Equal(keys.OrderByDescending(k => k, StringComparer.Ordinal), keys);
        Assert.All(seen, t => Assert.True(decimal.Parse(t["amount"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) >= 0));
    }

    [Fact]
    public async Task Default_window_is_ninety_days_and_filters_apply()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        using (var seed = await sandbox.Http.PostAsJsonAsync($"sandbox/links/{linkId}/transactions/seed", new { count = 400, days = 365 }))
        {
            seed.EnsureSuccessStatusCode();
        }

        await sandbox.AuthenticateAsync();
        var all = await sandbox.GetJsonAsync($"links/{linkId}/transactions?start_date=1900-01-01&size=100");
        Assert.Equal(402, all["total"]!.GetValue<int>());

        // The clock starts at 2026-01-05; the default window is end_date (today) minus 90 days.
        var windowed = await sandbox.GetJsonAsync($"links/{linkId}/transactions?size=100");
        var explicitWindow = await sandbox.GetJsonAsync($"links/{linkId}/transactions?start_date=2025-10-07&end_date=2026-01-05&size=100");
        Assert.Equal(explicitWindow["total"]!.GetValue<int>(), windowed["total"]!.GetValue<int>());
        Assert.InRange(windowed["total"]!.GetValue<int>(), 1, 401);

        var january = await sandbox.GetJsonAsync($"links/{linkId}/transactions?start_date=2025-12-01&end_date=2025-12-31&size=100");
        Assert.All(january["transactions"]!.AsArray(), t => Assert.StartsWith("2025-12-", t!["date"]!.GetValue<string>(), StringComparison.Ordinal));

        var accountId = all["accounts"]![2]!["account_id"]!.GetValue<string>();
        var oneAccount = await sandbox.GetJsonAsync($"links/{linkId}/transactions?start_date=1900-01-01&size=100&account_ids={accountId}");
        Assert.True(oneAccount["total"]!.GetValue<int>() > 0);
        Assert.All(oneAccount["transactions"]!.AsArray(), t => Assert.Equal(accountId, t!["account_id"]!.GetValue<string>()));
        Assert.Single(oneAccount["accounts"]!.AsArray());
    }

    [Fact]
    public async Task Every_documented_error_has_its_status_and_moneykit_body()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        var accountsOnly = (await sandbox.CreateLinkAsync(new { customer_user_id = "u", products = new[] { "accounts" } }))["link_id"]!.GetValue<string>();
        var errored = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        var deleted = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();

        using (var unauthenticated = await sandbox.Http.GetAsync($"links/{linkId}/transactions"))
        {
            await SandboxHarness.AssertErrorAsync(unauthenticated, 401, "api_error.auth.unauthorized");
        }

        await sandbox.AuthenticateAsync();
        using (var forbidden = await sandbox.Http.GetAsync($"links/{accountsOnly}/transactions"))
        {
            await SandboxHarness.AssertErrorAsync(forbidden, 403, "link_error.forbidden_action");
        }

        using (var missing = await sandbox.Http.GetAsync("links/mk_doesnotexist/transactions"))
        {
            await SandboxHarness.AssertErrorAsync(missing, 404, "link_error.not_found");
        }

        using (var delete = await sandbox.Http.DeleteAsync($"links/{deleted}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using (var gone = await sandbox.Http.GetAsync($"links/{deleted}/transactions"))
        {
            await SandboxHarness.AssertErrorAsync(gone, 410, "link_error.deleted");
        }

        Assert.Equal("deleted", (await sandbox.GetJsonAsync($"links/{deleted}"))["state"]!.GetValue<string>());

        using (var setState = await sandbox.Http.PostAsJsonAsync($"sandbox/links/{errored}/state", new { state = "error", error_code = "auth_expired" }))
        {
            setState.EnsureSuccessStatusCode();
        }

        using (var badState = await sandbox.Http.GetAsync($"links/{errored}/transactions"))
        {
            await SandboxHarness.AssertErrorAsync(badState, 422, "link_error.bad_state");
            Assert.Equal("auth_expired", (await SandboxHarness.ReadJsonAsync(badState))["link_error_code"]!.GetValue<string>());
        }

        foreach (var query in new[] { "size=0", "size=101", "page=0", "start_date=2025-13-01", "start_date=2026-01-05&end_date=2026-01-01", "page=abc" })
        {
            using var invalid = await sandbox.Http.GetAsync($"links/{linkId}/transactions?{query}");
            await SandboxHarness.AssertErrorAsync(invalid, 422, "api_error.request.validation_failed");
        }

        using (var fault = await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { method = "GET", path_prefix = $"/links/{linkId}/transactions", status = 429, retry_after_seconds = 17, count = 1 }))
        {
            Assert.Equal(HttpStatusCode.Created, fault.StatusCode);
        }

        using (var limited = await sandbox.Http.GetAsync($"links/{linkId}/transactions"))
        {
            await SandboxHarness.AssertErrorAsync(limited, 429, "api_error.rate_limit_exceeded");
            Assert.Equal(TimeSpan.FromSeconds(17), limited.Headers.RetryAfter!.Delta);
        }

        using var recovered = await sandbox.Http.GetAsync($"links/{linkId}/transactions");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task Fifty_thousand_seeded_transactions_sync_out_completely()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        using (var seed = await sandbox.Http.PostAsJsonAsync($"sandbox/links/{linkId}/transactions/seed", new { count = 50_000 }))
        {
            Assert.Equal(50_002, (await SandboxHarness.ReadJsonAsync(seed))["total"]!.GetValue<int>());
        }

        await sandbox.AuthenticateAsync();
        var pages = await sandbox.SyncAllAsync(linkId, cursor: null);
        Assert.Equal(101, pages.Count);
        var ids = pages.SelectMany(p => p["transactions"]!["created"]!.AsArray()).Select(t => t!["transaction_id"]!.GetValue<string>()).ToList();
        Assert.Equal(50_002, ids.Count);
        Assert.Equal(50_002, ids.Distinct().Count());

        var last = (await sandbox.GetJsonAsync($"links/{linkId}/transactions?start_date=1900-01-01&size=100&page=501"));
        Assert.Equal(2, last["transactions"]!.AsArray().Count);
    }
}

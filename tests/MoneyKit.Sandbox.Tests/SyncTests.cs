using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MoneyKit.Sandbox.Tests;

public sealed class SyncTests
{
    private static List<JsonObject> Entries(IEnumerable<JsonObject> pages, string list) =>
        [.. pages.SelectMany(p => p["transactions"]![list]!.AsArray()).Select(t => t!.AsObject())];

    private static string Cursor(List<JsonObject> pages) => pages[^1]["cursor"]!["next"]!.GetValue<string>();

    [Fact]
    public async Task Seed_example_resolves_pending_as_update_in_seed_mode()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();

        // 1. The first diff returns the two transactions; the second one is pending.
        var first = await sandbox.SyncAllAsync(linkId, null);
        var initial = Entries(first, "created");
        Assert.Equal(2, initial.Count);
        var pending = Assert.Single(initial, t => t["pending"]!.GetValue<bool>());

        // 2. Refresh.
        using (var refresh = await sandbox.RefreshAsync(linkId, "transactions"))
        {
            Assert.Equal(HttpStatusCode.Accepted, refresh.StatusCode);
        }

        // 3. New transactions (one of them pending) plus one update: the earlier pending one, now posted.
        var second = await sandbox.SyncAllAsync(linkId, Cursor(first));
        var created = Entries(second, "created");
        Assert.NotEmpty(created);
        Assert.Contains(created, t => t["pending"]!.GetValue<bool>());
        Assert.DoesNotContain(created, t => initial.Any(i => i["transaction_id"]!.GetValue<string>() == t["transaction_id"]!.GetValue<string>()));
        var update = Assert.Single(Entries(second, "updated"));
        Assert.Equal(pending["transaction_id"]!.GetValue<string>(), update["transaction_id"]!.GetValue<string>());
        Assert.False(update["pending"]!.GetValue<bool>());
        Assert.Empty(second.SelectMany(p => p["transactions"]!["removed"]!.AsArray()));

        var link = second[^1]["link"]!["products"]!["transactions"]!;
        Assert.Equal(sandbox.Clock.GetUtcNow().UtcDateTime, link["refreshed_at"]!.GetValue<DateTime>().ToUniversalTime());
    }

    [Fact]
    public async Task MoneyKit_mode_drops_and_replaces_pending_without_listing_it_removed()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.PendingMode = SandboxPendingMode.ReplaceDropped);
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();
        var first = await sandbox.SyncAllAsync(linkId, null);
        var pending = Assert.Single(Entries(first, "created"), t => t["pending"]!.GetValue<bool>());
        (await sandbox.RefreshAsync(linkId, "transactions")).Dispose();

        var second = await sandbox.SyncAllAsync(linkId, Cursor(first));
        Assert.Empty(Entries(second, "updated"));
        Assert.Empty(second.SelectMany(p => p["transactions"]!["removed"]!.AsArray()));
        var created = Entries(second, "created");
        var replacement = Assert.Single(created, t =>
            !t["pending"]!.GetValue<bool>()
            && t["description"]!.GetValue<string>() == pending["description"]!.GetValue<string>()
            && t["amount"]!.GetValue<string>() == pending["amount"]!.GetValue<string>()
            && t["date"]!.GetValue<string>() == pending["date"]!.GetValue<string>());
        Assert.NotEqual(pending["transaction_id"]!.GetValue<string>(), replacement["transaction_id"]!.GetValue<string>());
        Assert.Contains(created, t => t["pending"]!.GetValue<bool>());

        var list = await sandbox.GetJsonAsync($"links/{linkId}/transactions?size=100");
        Assert.DoesNotContain(list["transactions"]!.AsArray(), t => t!["transaction_id"]!.GetValue<string>() == pending["transaction_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pending_mode_can_be_chosen_per_link()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u", pending_mode = "replace_dropped" }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();
        var first = await sandbox.SyncAllAsync(linkId, null);
        (await sandbox.RefreshAsync(linkId, "transactions")).Dispose();
        var second = await sandbox.SyncAllAsync(linkId, Cursor(first));
        Assert.Empty(Entries(second, "updated"));
    }

    [Fact]
    public async Task Patched_and_deleted_transactions_show_as_updated_and_removed()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();
        var first = await sandbox.SyncAllAsync(linkId, null);
        var ids = Entries(first, "created").Select(t => t["transaction_id"]!.GetValue<string>()).ToList();

        using (var patch = await sandbox.Http.PatchAsJsonAsync($"sandbox/links/{linkId}/transactions/{ids[0]}", new { amount = 12.34m, description = "Corrected" }))
        {
            patch.EnsureSuccessStatusCode();
        }

        using (var delete = await sandbox.Http.DeleteAsync($"sandbox/links/{linkId}/transactions/{ids[1]}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var second = await sandbox.SyncAllAsync(linkId, Cursor(first), size: 1);
        Assert.Equal(2, second.Count);
        var updated = Assert.Single(Entries(second, "updated"));
        Assert.Equal(ids[0], updated["transaction_id"]!.GetValue<string>());
        Assert.Equal("12.34", updated["amount"]!.GetValue<string>());
        Assert.Equal("Corrected", updated["description"]!.GetValue<string>());
        Assert.Equal(ids[1], Assert.Single(second.SelectMany(p => p["transactions"]!["removed"]!.AsArray()))!.GetValue<string>());
        Assert.Empty(Entries(second, "created"));

        var third = await sandbox.SyncAllAsync(linkId, Cursor(second));
        Assert.Empty(Entries(third, "created"));
        Assert.Empty(Entries(third, "updated"));
        Assert.False(third[0]["has_more"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Bad_cursor_and_size_are_rejected()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        var other = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();
        var otherCursor = Cursor(await sandbox.SyncAllAsync(other, null));
        foreach (var query in new[] { "size=0", "size=501", "cursor=garbage", "cursor=" + Uri.EscapeDataString(otherCursor) })
        {
            using var response = await sandbox.Http.GetAsync($"links/{linkId}/transactions/sync?{query}");
            await SandboxHarness.AssertErrorAsync(response, 422, "api_error.request.validation_failed");
        }
    }

    [Fact]
    public async Task Static_users_get_the_same_data_on_every_link()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        async Task<(JsonObject Accounts, List<JsonObject> Transactions, JsonObject Identity, JsonObject Numbers)> ReadAsync(string username)
        {
            var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u-" + username, institution_id = "credentials_bank", username }))["link_id"]!.GetValue<string>();
            (await sandbox.RefreshAsync(linkId, "transactions")).Dispose();
            return (
                await sandbox.GetJsonAsync($"links/{linkId}/accounts"),
                Entries(await sandbox.SyncAllAsync(linkId, null), "created"),
                await sandbox.GetJsonAsync($"links/{linkId}/identity"),
                await sandbox.GetJsonAsync($"links/{linkId}/accounts/numbers"));
        }

        static string Shape(IEnumerable<JsonObject> transactions) => string.Join("|", transactions
            .Select(t => $"{t["date"]}/{t["amount"]}/{t["description"]}/{t["pending"]}")
            .Order(StringComparer.Ordinal));

        foreach (var user in new[] { "user_1pass_good", "user_2pass_good" })
        {
            var a = await ReadAsync(user);
            var b = await ReadAsync(user);
            Assert.Equal(
                a.Accounts["accounts"]!.AsArray().Select(x => $"{x!["name"]}/{x["account_mask"]}"),
                b.Accounts["accounts"]!.AsArray().Select(x => $"{x!["name"]}/{x["account_mask"]}"));
            Assert.Equal(
                a.Numbers["accounts"]!.AsArray().Select(x => $"{x!["numbers"]!["ach"]![0]!["account_number"]}/{x["numbers"]!["ach"]![0]!["routing_number"]}"),
                b.Numbers["accounts"]!.AsArray().Select(x => $"{x!["numbers"]!["ach"]![0]!["account_number"]}/{x["numbers"]!["ach"]![0]!["routing_number"]}"));
            Assert.Equal(a.Identity["accounts"]![0]!["owners"]!.ToJsonString(), b.Identity["accounts"]![0]!["owners"]!.ToJsonString());
            Assert.True(a.Transactions.Count >= 4);
            Assert.Equal(Shape(a.Transactions), Shape(b.Transactions));
            Assert.NotEqual(a.Accounts["link"]!["link_id"]!.GetValue<string>(), b.Accounts["link"]!["link_id"]!.GetValue<string>());
        }

        var one = await ReadAsync("user_1pass_good");
        var two = await ReadAsync("user_2pass_good");
        Assert.NotEqual(one.Identity["accounts"]![0]!["owners"]!.ToJsonString(), two.Identity["accounts"]![0]!["owners"]!.ToJsonString());
        Assert.NotEqual(Shape(one.Transactions), Shape(two.Transactions));
    }

    [Fact]
    public async Task Expired_cursors_of_a_link_are_refused_and_a_walk_from_no_cursor_starts_over()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        var other = (await sandbox.CreateLinkAsync(new { customer_user_id = "u2" }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();
        var first = await sandbox.SyncAllAsync(linkId, null);
        var otherFirst = await sandbox.SyncAllAsync(other, null);

        using (var expire = await sandbox.Http.PostAsync(new Uri($"sandbox/links/{linkId}/cursors/expire", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.NoContent, expire.StatusCode);
        }

        using (var refused = await sandbox.Http.GetAsync(new Uri($"links/{linkId}/transactions/sync?cursor={Uri.EscapeDataString(Cursor(first))}", UriKind.Relative)))
        {
            await SandboxHarness.AssertErrorAsync(refused, 422, "api_error.request.validation_failed");
        }

        var again = await sandbox.SyncAllAsync(linkId, null);
        Assert.Equal(Entries(first, "created").Count, Entries(again, "created").Count);
        Assert.Empty(Entries(await sandbox.SyncAllAsync(linkId, Cursor(again)), "created")); // the new cursors work
        Assert.Empty(Entries(await sandbox.SyncAllAsync(other, Cursor(otherFirst)), "created")); // another link's cursors are kept

        using var unknown = await sandbox.Http.PostAsync(new Uri("sandbox/links/no-such-link/cursors/expire", UriKind.Relative), null);
        await SandboxHarness.AssertErrorAsync(unknown, 404, "link_error.not_found");
    }
}

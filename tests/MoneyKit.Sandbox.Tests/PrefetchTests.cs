using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MoneyKit.Sandbox.Tests;

/// <summary><c>settings.products.*.prefetch</c>: prefetched products have data at exchange, the others after their first refresh.</summary>
public sealed class PrefetchTests
{
    private static async Task<JsonObject> ConnectAsync(SandboxHarness sandbox, string institutionId, object products)
    {
        using var response = await sandbox.Http.PostAsJsonAsync("link-session", new
        {
            customer_user = new { id = "customer-1" },
            institution_id = institutionId,
            settings = new { products },
        });
        var token = (await SandboxHarness.ReadJsonAsync(response))["link_session_token"]!.GetValue<string>();
        var step = await sandbox.GetJsonAsync($"sandbox/connect/{token}");
        if (step["step"]!.GetValue<string>() == "credentials")
        {
            step = await ConnectTests.PostStepAsync(sandbox, token, "credentials", new { username = "user_good", password = "pass_good" });
        }

        return await ConnectTests.ExchangeAsync(sandbox, step["exchangeable_token"]!.GetValue<string>());
    }

    private static JsonNode? RefreshedAt(JsonNode link, string product) => link["products"]![product]!["refreshed_at"];

    [Fact]
    public async Task Products_without_prefetch_have_no_data_until_their_first_refresh()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await SandboxHarness.StartAsync(o => o.ProductRefreshInterval = TimeSpan.Zero);
        await sandbox.AuthenticateAsync();
        var exchanged = await ConnectAsync(sandbox, "credentials_bank", new Dictionary<string, object>
        {
            ["accounts"] = new { },
            ["account_numbers"] = new { prefetch = true },
            ["identity"] = new { }, // prefetch left out: off, as in MoneyKit
            ["transactions"] = new { required = true, prefetch = false },
        });
        var linkId = exchanged["link_id"]!.GetValue<string>();
        var link = exchanged["link"]!;
        Assert.NotNull(RefreshedAt(link, "accounts"));
        Assert.NotNull(RefreshedAt(link, "account_numbers"));
        Assert.Null(RefreshedAt(link, "identity"));
        Assert.Null(RefreshedAt(link, "transactions"));
        Assert.Null(link["products"]!["transactions"]!["last_attempted_at"]);

        Assert.Equal(3, (await sandbox.GetJsonAsync($"links/{linkId}/accounts"))["accounts"]!.AsArray().Count);
        Assert.All( // 2023-02-18 (the default): each account carries its own numbers
            (await sandbox.GetJsonAsync($"links/{linkId}/accounts/numbers"))["accounts"]!.AsArray(),
            a => Assert.Single(a!["numbers"]!["ach"]!.AsArray()));
        Assert.All((await sandbox.GetJsonAsync($"links/{linkId}/identity"))["accounts"]!.AsArray(), a => Assert.Empty(a!["owners"]!.AsArray()));
        Assert.Equal(0, (await sandbox.GetJsonAsync($"links/{linkId}/transactions"))["total"]!.GetValue<int>());
        var emptySync = await sandbox.GetJsonAsync($"links/{linkId}/transactions/sync");
        Assert.Empty(emptySync["transactions"]!["created"]!.AsArray());
        Assert.False(emptySync["has_more"]!.GetValue<bool>());

        (await sandbox.Http.PatchAsJsonAsync($"links/{linkId}", new { webhook = receiver.Url })).EnsureSuccessStatusCode();
        sandbox.Clock.Advance(TimeSpan.FromMinutes(5));
        (await sandbox.RefreshAsync(linkId, "transactions", "identity")).EnsureSuccessStatusCode();
        var updates = await receiver.NextAsync("transactions.updates_available");
        Assert.True(updates.Json["has_history"]!.GetValue<bool>());

        var page = await sandbox.GetJsonAsync($"links/{linkId}/transactions");
        Assert.Equal(2, page["total"]!.GetValue<int>());
        Assert.Single(page["transactions"]!.AsArray(), t => t!["pending"]!.GetValue<bool>());
        Assert.Equal(sandbox.Clock.GetUtcNow().UtcDateTime, RefreshedAt(page["link"]!, "transactions")!.GetValue<DateTime>());
        Assert.Equal(2, (await sandbox.SyncAllAsync(linkId, emptySync["cursor"]!["next"]!.GetValue<string>())).Sum(p => p["transactions"]!["created"]!.AsArray().Count));
        Assert.All((await sandbox.GetJsonAsync($"links/{linkId}/identity"))["accounts"]!.AsArray(), a => Assert.Single(a!["owners"]!.AsArray()));

        // Later refreshes are ordinary ones: the pending transaction settles and new ones arrive.
        (await sandbox.RefreshAsync(linkId, "transactions")).EnsureSuccessStatusCode();
        Assert.False((await receiver.NextAsync("transactions.updates_available")).Json["has_history"]!.GetValue<bool>());
        Assert.True((await sandbox.GetJsonAsync($"links/{linkId}/transactions"))["total"]!.GetValue<int>() > 2);
    }

    [Fact]
    public async Task Instant_bank_and_control_links_prefetch_unless_told_not_to()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();

        var byDefault = await ConnectAsync(sandbox, "instant_bank", new { transactions = new { }, identity = new { required = true } });
        Assert.NotNull(RefreshedAt(byDefault["link"]!, "transactions"));
        Assert.NotNull(RefreshedAt(byDefault["link"]!, "identity"));
        Assert.Equal(2, (await sandbox.GetJsonAsync($"links/{byDefault["link_id"]}/transactions"))["total"]!.GetValue<int>());

        var notPrefetched = await ConnectAsync(sandbox, "instant_bank", new { transactions = new { prefetch = false } });
        Assert.Null(RefreshedAt(notPrefetched["link"]!, "transactions"));
        Assert.Equal(0, (await sandbox.GetJsonAsync($"links/{notPrefetched["link_id"]}/transactions"))["total"]!.GetValue<int>());

        var control = await sandbox.CreateLinkAsync(new { customer_user_id = "customer-1" });
        Assert.All(control["products"]!.AsObject(), p => Assert.NotNull(p.Value!["refreshed_at"]));
        Assert.Equal(2, (await sandbox.GetJsonAsync($"links/{control["link_id"]}/transactions"))["total"]!.GetValue<int>());
    }
}

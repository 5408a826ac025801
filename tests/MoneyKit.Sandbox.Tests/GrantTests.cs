using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MoneyKit.Sandbox.Tests;

/// <summary>Connect's account/product grant step: the link exposes only what the user granted.</summary>
public sealed class GrantTests
{
    /// <summary>Logs <c>user_goodpass_good</c> in at Credentials Bank asking for accounts, identity and transactions (all prefetched).</summary>
    private static async Task<(string Token, JsonObject Step)> LogInAsync(SandboxHarness sandbox)
    {
        using var response = await sandbox.Http.PostAsJsonAsync("link-session", new
        {
            customer_user = new { id = "customer-1" },
            institution_id = "credentials_bank",
            settings = new { products = new { accounts = new { }, identity = new { prefetch = true }, transactions = new { prefetch = true } } },
        });
        var token = (await SandboxHarness.ReadJsonAsync(response))["link_session_token"]!.GetValue<string>();
        var step = await ConnectTests.PostStepAsync(sandbox, token, "credentials", new { username = "user_good", password = "pass_good" });
        Assert.Equal("complete", step["step"]!.GetValue<string>());
        return (token, step);
    }

    private static List<string> Strings(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];

    [Fact]
    public async Task The_link_exposes_only_the_granted_accounts_and_products()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        var (token, step) = await LogInAsync(sandbox);
        var offered = step["accounts"]!.AsArray();
        Assert.Equal(["checking", "savings", "credit_card"], offered.Select(a => a!["account_type"]!.GetValue<string>().Split('.').Last()));
        Assert.Equal(["accounts", "identity", "transactions"], Strings(step["products"]).Order(StringComparer.Ordinal));
        var checking = offered[0]!["account_id"]!.GetValue<string>();
        var savings = offered[1]!["account_id"]!.GetValue<string>();

        var granted = await ConnectTests.PostStepAsync(sandbox, token, "grant", new { account_ids = new[] { checking }, products = new[] { "transactions" } });
        Assert.Equal("complete", granted["step"]!.GetValue<string>());
        Assert.Equal([checking], granted["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()));

        var exchanged = await ConnectTests.ExchangeAsync(sandbox, step["exchangeable_token"]!.GetValue<string>());
        var linkId = exchanged["link_id"]!.GetValue<string>();
        Assert.Equal(["accounts", "transactions"], exchanged["link"]!["products"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));

        using (var identity = await sandbox.Http.GetAsync($"links/{linkId}/identity"))
        {
            await SandboxHarness.AssertErrorAsync(identity, 403, "link_error.forbidden_action");
        }

        using (var refreshIdentity = await sandbox.RefreshAsync(linkId, "identity"))
        {
            await SandboxHarness.AssertErrorAsync(refreshIdentity, 403, "link_error.forbidden_action");
        }

        Assert.Equal([checking], (await sandbox.GetJsonAsync($"links/{linkId}/accounts"))["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()));
        using (var other = await sandbox.Http.GetAsync($"links/{linkId}/accounts/{savings}"))
        {
            await SandboxHarness.AssertErrorAsync(other, 404, "account_error.not_found");
        }

        // New data lands only on the granted account, and no listing mentions another one.
        (await sandbox.RefreshAsync(linkId, "transactions")).EnsureSuccessStatusCode();
        var page = await sandbox.GetJsonAsync($"links/{linkId}/transactions?size=100");
        Assert.True(page["total"]!.GetValue<int>() >= 2);
        Assert.All(page["transactions"]!.AsArray(), t => Assert.Equal(checking, t!["account_id"]!.GetValue<string>()));
        Assert.Equal([checking], page["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()));
        var sync = await sandbox.SyncAllAsync(linkId, cursor: null);
        var created = sync.SelectMany(p => p["transactions"]!["created"]!.AsArray()).ToList();
        Assert.Equal(page["total"]!.GetValue<int>(), created.Count);
        Assert.All(created, t => Assert.Equal(checking, t!["account_id"]!.GetValue<string>()));
        Assert.Empty(sync.SelectMany(p => p["transactions"]!["removed"]!.AsArray()));
        Assert.Equal(0, (await sandbox.GetJsonAsync($"links/{linkId}/transactions?account_ids={savings}"))["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Skipping_the_grant_step_grants_every_account_and_requested_product()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        var (_, step) = await LogInAsync(sandbox);
        var exchanged = await ConnectTests.ExchangeAsync(sandbox, step["exchangeable_token"]!.GetValue<string>());
        var linkId = exchanged["link_id"]!.GetValue<string>();
        Assert.Equal(["accounts", "identity", "transactions"], exchanged["link"]!["products"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(3, (await sandbox.GetJsonAsync($"links/{linkId}/identity"))["accounts"]!.AsArray().Count);
        Assert.Equal(2, (await sandbox.GetJsonAsync($"links/{linkId}/transactions"))["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Bad_grants_are_rejected_and_leave_the_offer_unchanged()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        using (var early = await sandbox.Http.PostAsJsonAsync("link-session", new { customer_user = new { id = "c" }, institution_id = "credentials_bank" }))
        {
            var earlyToken = (await SandboxHarness.ReadJsonAsync(early))["link_session_token"]!.GetValue<string>();
            using var beforeLogin = await sandbox.Http.PostAsJsonAsync($"sandbox/connect/{earlyToken}/grant", new { products = new[] { "transactions" } });
            await SandboxHarness.AssertErrorAsync(beforeLogin, 409, "link_session_error.wrong_step");
        }

        var (token, step) = await LogInAsync(sandbox);
        var checking = step["accounts"]![0]!["account_id"]!.GetValue<string>();
        async Task ExpectAsync(object body, int status, string code)
        {
            using var response = await sandbox.Http.PostAsJsonAsync($"sandbox/connect/{token}/grant", body);
            await SandboxHarness.AssertErrorAsync(response, status, code);
        }

        await ExpectAsync(new { account_ids = Array.Empty<string>() }, 422, "api_error.request.validation_failed");
        await ExpectAsync(new { account_ids = new[] { "acc_unknown" } }, 422, "api_error.request.validation_failed");
        await ExpectAsync(new { products = new[] { "account_numbers" } }, 422, "api_error.request.validation_failed");
        await ExpectAsync(new { account_ids = "not-a-list" }, 422, "api_error.request.validation_failed");
        using (var garbage = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"))
        using (var response = await sandbox.Http.PostAsync($"sandbox/connect/{token}/grant", garbage))
        {
            await SandboxHarness.AssertErrorAsync(response, 422, "api_error.request.validation_failed");
        }

        Assert.Equal(3, (await sandbox.GetJsonAsync($"sandbox/connect/{token}"))["accounts"]!.AsArray().Count);
        await ConnectTests.PostStepAsync(sandbox, token, "grant", new { account_ids = new[] { checking } });
        await ExpectAsync(new { account_ids = new[] { checking } }, 409, "link_session_error.wrong_step");
        using var unknown = await sandbox.Http.PostAsJsonAsync("sandbox/connect/lst_nope/grant", new { });
        await SandboxHarness.AssertErrorAsync(unknown, 404, "link_session_error.not_found");
    }

    [Fact]
    public async Task A_reconnect_can_decline_new_products_but_not_revoke_granted_access()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var existing = await sandbox.CreateLinkAsync(new { customer_user_id = "customer-1", products = new[] { "accounts" } });
        var linkId = existing["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();
        var accounts = (await sandbox.GetJsonAsync($"links/{linkId}/accounts"))["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()).ToList();

        using var response = await sandbox.Http.PostAsJsonAsync("link-session", new
        {
            customer_user = new { id = "customer-1" },
            existing_link_id = linkId,
            settings = new { products = new { identity = new { }, transactions = new { } } },
        });
        var token = (await SandboxHarness.ReadJsonAsync(response))["link_session_token"]!.GetValue<string>();
        var step = await sandbox.GetJsonAsync($"sandbox/connect/{token}");
        Assert.Equal("complete", step["step"]!.GetValue<string>());

        using (var revokeAccount = await sandbox.Http.PostAsJsonAsync($"sandbox/connect/{token}/grant", new { account_ids = new[] { accounts[0] } }))
        {
            await SandboxHarness.AssertErrorAsync(revokeAccount, 422, "link_session_error.forbidden_config");
        }

        await ConnectTests.PostStepAsync(sandbox, token, "grant", new { products = new[] { "transactions" } });
        var link = (await ConnectTests.ExchangeAsync(sandbox, step["exchangeable_token"]!.GetValue<string>()))["link"]!;
        Assert.Equal(["accounts", "transactions"], link["products"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(accounts, (await sandbox.GetJsonAsync($"links/{linkId}/accounts"))["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()));
    }
}

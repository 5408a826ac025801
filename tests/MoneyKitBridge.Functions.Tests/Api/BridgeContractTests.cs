using System.Net;
using System.Text.Json.Nodes;
using MoneyKitBridge.Functions.Tests.Auth;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Testing.Contract;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// The bridge's MoneyKit-compatible routes answer in MoneyKit's published 2023-02-18 models
/// (<see cref="MoneyKitModels"/>, the schemas the sandbox is held to), so an app built on a MoneyKit SDK reads them.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class BridgeContractTests(ApiFixture fixture)
{
    private const string Version = MoneyKitModels.V20230218;

    private static async Task<JsonNode> AssertShapeAsync(HttpResponseMessage response, HttpStatusCode status, ObjectShape shape)
    {
        var text = await response.Content.ReadAsStringAsync();
        var request = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}";
        Assert.True(response.StatusCode == status, $"{request}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(Version, Assert.Single(response.Headers.GetValues("MoneyKit-Version")));
        var node = JsonNode.Parse(text)!;
        var problems = shape.Check(node, "$").ToList();
        Assert.True(problems.Count == 0, $"{request} breaks {shape.Model}:\n{string.Join("\n", problems)}\n{text}");
        return node;
    }

    private async Task<JsonNode> GetAsync(string path, string token, ObjectShape shape)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, path, token);
        return await AssertShapeAsync(response, HttpStatusCode.OK, shape);
    }

    [Fact]
    public async Task Every_MoneyKit_route_of_the_bridge_answers_in_the_published_2023_02_18_model()
    {
        using (var token = await TokenClient.RequestFormAsync(fixture.App, BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret))
        {
            await AssertShapeAsync(token, HttpStatusCode.OK, MoneyKitModels.Token);
        }

        var admin = await fixture.AdminTokenAsync();
        using (var session = await fixture.PostJsonAsync("/api/link-session", admin, new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = "contract-shapes" },
            ["institution_id"] = "instant_bank",
        }))
        {
            await AssertShapeAsync(session, HttpStatusCode.OK, MoneyKitModels.LinkSession);
        }

        var (linkId, exchange) = await fixture.ConnectAsync("contract-shapes", beforeExchange: id => fixture.SeedAsync(id, 12, 30));
        Assert.Empty(MoneyKitModels.ExchangeToken.Check(JsonNode.Parse(exchange.GetRawText())!, "$"));

        var reader = await fixture.ReaderTokenAsync();
        await GetAsync($"/api/links/{linkId}", reader, MoneyKitModels.Link);
        var userLinks = await GetAsync("/api/users/contract-shapes/links", reader, MoneyKitModels.UserLinks);
        Assert.Equal(linkId, userLinks["links"]![linkId]!["link_id"]!.GetValue<string>()); // keyed by link id
        var accounts = await GetAsync($"/api/links/{linkId}/accounts", reader, MoneyKitModels.Accounts);
        Assert.Contains("credit_card", accounts["accounts"]!.AsArray().Select(a => a!["account_type"]!.GetValue<string>()));
        var page = await GetAsync($"/api/links/{linkId}/transactions?start_date=2000-01-01&size=5", reader, MoneyKitModels.TransactionsLegacy);
        Assert.Equal(5, page["transactions"]!.AsArray().Count);
        var sync = await GetAsync($"/api/links/{linkId}/transactions/sync?size=5", reader, MoneyKitModels.TransactionsSync);
        Assert.True(sync["has_more"]!.GetValue<bool>());
        await GetAsync($"/api/links/{linkId}/transactions/sync?size=500&cursor={Uri.EscapeDataString(sync["cursor"]!["next"]!.GetValue<string>())}", reader, MoneyKitModels.TransactionsSync);

        using (var unauthorized = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/accounts", token: null))
        {
            await AssertShapeAsync(unauthorized, HttpStatusCode.Unauthorized, MoneyKitModels.Error("api_error.auth.unauthorized"));
        }

        using (var missing = await fixture.SendAsync(HttpMethod.Get, "/api/links/mk_missing_link/accounts", reader))
        {
            await AssertShapeAsync(missing, HttpStatusCode.NotFound, MoneyKitModels.Error("link_error.not_found"));
        }

        using var badPage = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/transactions?page=0", reader);
        await AssertShapeAsync(badPage, HttpStatusCode.UnprocessableEntity, MoneyKitModels.Error("api_error.request.validation_failed"));
    }

    [Fact]
    public async Task Institutions_answer_in_the_published_2023_02_18_models()
    {
        var reader = await fixture.ReaderTokenAsync();
        var list = await GetAsync("/api/institutions", reader, MoneyKitModels.Institutions);
        Assert.Equal(3, list["institutions"]!.AsArray().Count);
        var paged = await GetAsync("/api/institutions?limit=2", reader, MoneyKitModels.Institutions);
        var next = paged["cursors"]!["next"]!.GetValue<string>();
        var rest = await GetAsync($"/api/institutions?limit=2&cursor={Uri.EscapeDataString(next)}", reader, MoneyKitModels.Institutions);
        Assert.Single(rest["institutions"]!.AsArray());
        Assert.Null(rest["cursors"]!["next"]);
        var one = await GetAsync("/api/institutions/oauth_bank", reader, MoneyKitModels.Institution);
        Assert.Equal("oauth_bank", one["institution_id"]!.GetValue<string>());

        using (var missing = await fixture.SendAsync(HttpMethod.Get, "/api/institutions/no_such_bank", reader))
        {
            await AssertShapeAsync(missing, HttpStatusCode.NotFound, MoneyKitModels.Error("institution_error.not_found"));
        }

        foreach (var bad in new[] { "limit=0", "limit=101", "limit=x", "featured=maybe", "cursor=not-a-cursor", "limit=1&limit=2" })
        {
            using var response = await fixture.SendAsync(HttpMethod.Get, "/api/institutions?" + bad, reader);
            await AssertShapeAsync(response, HttpStatusCode.UnprocessableEntity, MoneyKitModels.Error("api_error.request.validation_failed"));
        }
    }

    [Fact]
    public async Task User_accounts_and_user_transactions_answer_in_the_published_2023_02_18_models()
    {
        const string user = "contract-user-routes";
        var (first, _) = await fixture.ConnectAsync(user, beforeExchange: id => fixture.SeedAsync(id, 6, 30));
        var (second, _) = await fixture.ConnectAsync(user);
        var reader = await fixture.ReaderTokenAsync();

        var all = await GetAsync($"/api/users/{user}/accounts", reader, MoneyKitModels.UserAccounts);
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), all["links"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        var accountId = all["links"]![first]!["accounts"]![0]!["account_id"]!.GetValue<string>();
        var one = await GetAsync($"/api/users/{user}/accounts?account_ids={accountId}", reader, MoneyKitModels.UserAccounts);
        Assert.Equal([first], one["links"]!.AsObject().Select(p => p.Key));
        Assert.Equal([accountId], one["links"]![first]!["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()));
        var none = await GetAsync($"/api/users/{user}/accounts?institution_ids=oauth_bank", reader, MoneyKitModels.UserAccounts);
        Assert.Empty(none["links"]!.AsObject());
        var instant = await GetAsync($"/api/users/{user}/accounts?institution_ids=instant_bank", reader, MoneyKitModels.UserAccounts);
        Assert.Equal(2, instant["links"]!.AsObject().Count);

        var transactions = await GetAsync($"/api/users/{user}/transactions?start_date=2000-01-01&size=100", reader, MoneyKitModels.UserTransactions);
        Assert.Equal(6, all["links"]!.AsObject().Sum(l => l.Value!["accounts"]!.AsArray().Count));
        Assert.Equal(6, transactions["accounts"]!.AsObject().Count);
        Assert.All(transactions["accounts"]!.AsObject(), a => Assert.Contains(a.Value!["link_id"]!.GetValue<string>(), new[] { first, second }));
        var byAccount = await GetAsync($"/api/users/{user}/transactions?start_date=2000-01-01&size=100&account_id={accountId}", reader, MoneyKitModels.UserTransactions);
        Assert.All(byAccount["transactions"]!.AsArray(), t => Assert.Equal(accountId, t!["account_id"]!.GetValue<string>()));
        Assert.Equal([accountId], byAccount["accounts"]!.AsObject().Select(p => p.Key));
        var otherBank = await GetAsync($"/api/users/{user}/transactions?start_date=2000-01-01&institution_id=oauth_bank", reader, MoneyKitModels.UserTransactions);
        Assert.Equal(0, otherBank["total"]!.GetValue<int>());

        foreach (var bad in new[] { $"/api/users/{user}/accounts?account_ids={new string('a', 300)}", $"/api/users/{user}/transactions?institution_id={new string('a', 300)}" })
        {
            using var response = await fixture.SendAsync(HttpMethod.Get, bad, reader);
            await AssertShapeAsync(response, HttpStatusCode.UnprocessableEntity, MoneyKitModels.Error("api_error.request.validation_failed"));
        }
    }

    [Fact]
    public async Task Account_numbers_and_identity_answer_in_the_published_2023_02_18_models()
    {
        var (linkId, _) = await fixture.ConnectAsync("contract-sensitive");
        var sdk = await fixture.SdkTokenAsync();
        await GetAsync($"/api/links/{linkId}/accounts/numbers", sdk, MoneyKitModels.AccountNumbersLegacy);
        await GetAsync($"/api/links/{linkId}/identity", sdk, MoneyKitModels.Identity);

        var (notGranted, _) = await fixture.ConnectAsync("contract-sensitive-not-granted", products: ["transactions"]);
        foreach (var route in new[] { "accounts/numbers", "identity" })
        {
            using var forbidden = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{notGranted}/{route}", sdk);
            await AssertShapeAsync(forbidden, HttpStatusCode.Forbidden, MoneyKitModels.Error("link_error.forbidden_action"));
            using var missing = await fixture.SendAsync(HttpMethod.Get, $"/api/links/mk_missing_link/{route}", sdk);
            await AssertShapeAsync(missing, HttpStatusCode.NotFound, MoneyKitModels.Error("link_error.not_found"));
        }
    }
}

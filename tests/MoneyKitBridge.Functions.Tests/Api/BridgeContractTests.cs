using System.Net;
using System.Text.Json.Nodes;
using MoneyKitBridge.Functions.Tests.Auth;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Testing.Contract;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// The bridge's MoneyKit-compatible routes, called in every <c>MoneyKit-Version</c> the bridge serves, answer in
/// MoneyKit's published model of that version (<see cref="MoneyKitModels"/>, the schemas the sandbox is held to), so an
/// app built on a MoneyKit SDK of either version reads them. Where the versions differ (account numbers, the paging of a
/// link's transaction list) each answers in its own shape, and bad input is refused as that version refuses it.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class BridgeContractTests(ApiFixture fixture)
{
    public static TheoryData<string> Versions => [.. MoneyKitModels.Versions];

    private static bool IsLegacy(string version) => version == MoneyKitModels.V20230218;

    private static async Task<JsonNode> AssertShapeAsync(HttpResponseMessage response, HttpStatusCode status, ObjectShape shape, string version)
    {
        var text = await response.Content.ReadAsStringAsync();
        var request = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}";
        Assert.True(response.StatusCode == status, $"{request} ({version}): expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(version, Assert.Single(response.Headers.GetValues("MoneyKit-Version")));
        var node = JsonNode.Parse(text)!;
        var problems = shape.Check(node, "$").ToList();
        Assert.True(problems.Count == 0, $"{request} ({version}) breaks {shape.Model}:\n{string.Join("\n", problems)}\n{text}");
        return node;
    }

    private async Task<JsonNode> GetAsync(string path, string token, ObjectShape shape, string version)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, path, token, version: version);
        return await AssertShapeAsync(response, HttpStatusCode.OK, shape, version);
    }

    private async Task AssertRefusedAsync(string path, string token, string version)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, path, token, version: version);
        await AssertShapeAsync(response, HttpStatusCode.UnprocessableEntity, MoneyKitModels.Error("api_error.request.validation_failed"), version);
    }

    [Fact]
    public async Task Without_the_header_the_bridge_answers_in_2023_02_18()
    {
        var (linkId, _) = await fixture.ConnectAsync("contract-default-version", beforeExchange: id => fixture.SeedAsync(id, 6, 30));
        var reader = await fixture.ReaderTokenAsync();
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/transactions?start_date=2000-01-01&size=5", reader);
        var page = await AssertShapeAsync(response, HttpStatusCode.OK, MoneyKitModels.TransactionsLegacy, MoneyKitModels.V20230218);
        Assert.Equal(1, page["page"]!.GetValue<int>());
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Every_MoneyKit_route_of_the_bridge_answers_in_the_published_model_of_the_version(string version)
    {
        var user = "contract-shapes-" + version;
        using (var tokenRequest = new HttpRequestMessage(HttpMethod.Post, TokenClient.TokenUri)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = BridgeAppFactory.AdminId,
                ["client_secret"] = BridgeAppFactory.AdminSecret,
            }),
        })
        {
            tokenRequest.Headers.Add("MoneyKit-Version", version);
            using var token = await fixture.App.SendAsync(tokenRequest);
            await AssertShapeAsync(token, HttpStatusCode.OK, MoneyKitModels.Token, version);
        }

        var admin = await fixture.AdminTokenAsync();
        using (var session = await fixture.PostJsonAsync("/api/link-session", admin, new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = user },
            ["institution_id"] = "instant_bank",
        }, version))
        {
            await AssertShapeAsync(session, HttpStatusCode.OK, MoneyKitModels.LinkSession, version);
        }

        var (linkId, exchange) = await fixture.ConnectAsync(user, beforeExchange: id => fixture.SeedAsync(id, 12, 30));
        Assert.Empty(MoneyKitModels.ExchangeToken.Check(JsonNode.Parse(exchange.GetRawText())!, "$"));

        var reader = await fixture.ReaderTokenAsync();
        await GetAsync($"/api/links/{linkId}", reader, MoneyKitModels.Link, version);
        var userLinks = await GetAsync($"/api/users/{user}/links", reader, MoneyKitModels.UserLinks, version);
        Assert.Equal(linkId, userLinks["links"]![linkId]!["link_id"]!.GetValue<string>()); // keyed by link id
        var accounts = await GetAsync($"/api/links/{linkId}/accounts", reader, MoneyKitModels.Accounts, version);
        Assert.Contains("credit_card", accounts["accounts"]!.AsArray().Select(a => a!["account_type"]!.GetValue<string>()));
        var page = await GetAsync($"/api/links/{linkId}/transactions?start_date=2000-01-01&size=5", reader, MoneyKitModels.TransactionsFor(version), version);
        Assert.Equal(5, page["transactions"]!.AsArray().Count);
        await AssertTransactionListPagingAsync(linkId, reader, version);
        var sync = await GetAsync($"/api/links/{linkId}/transactions/sync?size=5", reader, MoneyKitModels.TransactionsSync, version);
        Assert.True(sync["has_more"]!.GetValue<bool>());
        var syncCursor = sync["cursor"]!["next"]!.GetValue<string>();
        await GetAsync($"/api/links/{linkId}/transactions/sync?size=500&cursor={Uri.EscapeDataString(syncCursor)}", reader, MoneyKitModels.TransactionsSync, version);

        using (var unauthorized = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/accounts", token: null, version: version))
        {
            await AssertShapeAsync(unauthorized, HttpStatusCode.Unauthorized, MoneyKitModels.Error("api_error.auth.unauthorized"), version);
        }

        using (var missing = await fixture.SendAsync(HttpMethod.Get, "/api/links/mk_missing_link/accounts", reader, version: version))
        {
            await AssertShapeAsync(missing, HttpStatusCode.NotFound, MoneyKitModels.Error("link_error.not_found"), version);
        }

        using (var missingList = await fixture.SendAsync(HttpMethod.Get, "/api/links/mk_missing_link/transactions", reader, version: version))
        {
            await AssertShapeAsync(missingList, HttpStatusCode.NotFound, MoneyKitModels.Error("link_error.not_found"), version);
        }

        // Bad input is refused as the version refuses it: 2023-02-18 pages by page (size ≤ 100), 2023-12-14 by cursor (size ≤ 500).
        string[] bad = IsLegacy(version)
            ? ["page=0", "page=x", "page=1&page=2", "size=101", "size=0", "start_date=yesterday"]
            : ["size=501", "size=0", "cursor=not-a-cursor", "cursor=" + Uri.EscapeDataString(syncCursor), "cursor=1&cursor=2", "start_date=yesterday"];
        foreach (var query in bad)
        {
            await AssertRefusedAsync($"/api/links/{linkId}/transactions?{query}", reader, version);
        }

        if (!IsLegacy(version))
        {
            var (otherLink, _) = await fixture.ConnectAsync(user);
            var listCursor = page["cursor"]!["next"]!.GetValue<string>();
            await AssertRefusedAsync($"/api/links/{otherLink}/transactions?cursor={Uri.EscapeDataString(listCursor)}", reader, version); // another link's cursor
        }
    }

    /// <summary>
    /// Walks the link's whole list in the version's paging form (pages of 5) and checks it lists the same transactions,
    /// in the same order, as one page of everything: 2023-02-18 by page with totals, 2023-12-14 by cursor without.
    /// </summary>
    private async Task AssertTransactionListPagingAsync(string linkId, string reader, string version)
    {
        var shape = MoneyKitModels.TransactionsFor(version);
        var all = await GetAsync($"/api/links/{linkId}/transactions?start_date=2000-01-01&size=100", reader, shape, version);
        var expected = all["transactions"]!.AsArray().Select(t => t!["transaction_id"]!.GetValue<string>()).ToList();
        Assert.True(expected.Count > 5, $"the link has only {expected.Count} transactions");
        var walked = new List<string>();
        var pages = 0;
        if (IsLegacy(version))
        {
            Assert.Equal(expected.Count, all["total"]!.GetValue<int>());
            for (var number = 1; walked.Count < expected.Count; number++)
            {
                var page = await GetAsync($"/api/links/{linkId}/transactions?start_date=2000-01-01&size=5&page={number}", reader, shape, version);
                Assert.Equal(number, page["page"]!.GetValue<int>());
                Assert.Equal(expected.Count, page["total"]!.GetValue<int>());
                walked.AddRange(page["transactions"]!.AsArray().Select(t => t!["transaction_id"]!.GetValue<string>()));
                Assert.True(++pages <= expected.Count, "paging does not end");
            }
        }
        else
        {
            Assert.Null(all["cursor"]!["next"]);
            Assert.Null(all["total"]);
            Assert.Null(all["page"]);
            string? cursor = null;
            do
            {
                var path = $"/api/links/{linkId}/transactions?start_date=2000-01-01&size=5&page=7" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor));
                var page = await GetAsync(path, reader, shape, version); // page is not a parameter of 2023-12-14: ignored
                Assert.Null(page["total"]);
                walked.AddRange(page["transactions"]!.AsArray().Select(t => t!["transaction_id"]!.GetValue<string>()));
                cursor = page["cursor"]!["next"]?.GetValue<string>();
                Assert.True(++pages <= expected.Count, "the cursor does not end");
            }
            while (cursor is not null);

            var big = await GetAsync($"/api/links/{linkId}/transactions?start_date=2000-01-01&size=500", reader, shape, version);
            Assert.Equal(expected, big["transactions"]!.AsArray().Select(t => t!["transaction_id"]!.GetValue<string>()));
        }

        Assert.Equal(expected, walked);
        Assert.Equal((expected.Count + 4) / 5, pages);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Institutions_answer_in_the_published_models_of_the_version(string version)
    {
        var reader = await fixture.ReaderTokenAsync();
        var list = await GetAsync("/api/institutions", reader, MoneyKitModels.Institutions, version);
        Assert.Equal(3, list["institutions"]!.AsArray().Count);
        var paged = await GetAsync("/api/institutions?limit=2", reader, MoneyKitModels.Institutions, version);
        var next = paged["cursors"]!["next"]!.GetValue<string>();
        var rest = await GetAsync($"/api/institutions?limit=2&cursor={Uri.EscapeDataString(next)}", reader, MoneyKitModels.Institutions, version);
        Assert.Single(rest["institutions"]!.AsArray());
        Assert.Null(rest["cursors"]!["next"]);
        var one = await GetAsync("/api/institutions/oauth_bank", reader, MoneyKitModels.Institution, version);
        Assert.Equal("oauth_bank", one["institution_id"]!.GetValue<string>());

        using (var missing = await fixture.SendAsync(HttpMethod.Get, "/api/institutions/no_such_bank", reader, version: version))
        {
            await AssertShapeAsync(missing, HttpStatusCode.NotFound, MoneyKitModels.Error("institution_error.not_found"), version);
        }

        foreach (var bad in new[] { "limit=0", "limit=101", "limit=x", "featured=maybe", "cursor=not-a-cursor", "limit=1&limit=2" })
        {
            using var response = await fixture.SendAsync(HttpMethod.Get, "/api/institutions?" + bad, reader, version: version);
            await AssertShapeAsync(response, HttpStatusCode.UnprocessableEntity, MoneyKitModels.Error("api_error.request.validation_failed"), version);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task User_accounts_and_user_transactions_answer_in_the_published_models_of_the_version(string version)
    {
        var user = "contract-user-routes-" + version;
        var (first, _) = await fixture.ConnectAsync(user, beforeExchange: id => fixture.SeedAsync(id, 6, 30));
        var (second, _) = await fixture.ConnectAsync(user);
        var reader = await fixture.ReaderTokenAsync();

        var all = await GetAsync($"/api/users/{user}/accounts", reader, MoneyKitModels.UserAccounts, version);
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), all["links"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        var accountId = all["links"]![first]!["accounts"]![0]!["account_id"]!.GetValue<string>();
        var one = await GetAsync($"/api/users/{user}/accounts?account_ids={accountId}", reader, MoneyKitModels.UserAccounts, version);
        Assert.Equal([first], one["links"]!.AsObject().Select(p => p.Key));
        Assert.Equal([accountId], one["links"]![first]!["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()));
        var none = await GetAsync($"/api/users/{user}/accounts?institution_ids=oauth_bank", reader, MoneyKitModels.UserAccounts, version);
        Assert.Empty(none["links"]!.AsObject());
        var instant = await GetAsync($"/api/users/{user}/accounts?institution_ids=instant_bank", reader, MoneyKitModels.UserAccounts, version);
        Assert.Equal(2, instant["links"]!.AsObject().Count);

        var transactions = await GetAsync($"/api/users/{user}/transactions?start_date=2000-01-01&size=100", reader, MoneyKitModels.UserTransactions, version);
        Assert.Equal(6, all["links"]!.AsObject().Sum(l => l.Value!["accounts"]!.AsArray().Count));
        Assert.Equal(6, transactions["accounts"]!.AsObject().Count);
        Assert.All(transactions["accounts"]!.AsObject(), a => Assert.Contains(a.Value!["link_id"]!.GetValue<string>(), new[] { first, second }));
        var byAccount = await GetAsync($"/api/users/{user}/transactions?start_date=2000-01-01&size=100&account_id={accountId}", reader, MoneyKitModels.UserTransactions, version);
        Assert.All(byAccount["transactions"]!.AsArray(), t => Assert.Equal(accountId, t!["account_id"]!.GetValue<string>()));
        Assert.Equal([accountId], byAccount["accounts"]!.AsObject().Select(p => p.Key));
        var otherBank = await GetAsync($"/api/users/{user}/transactions?start_date=2000-01-01&institution_id=oauth_bank", reader, MoneyKitModels.UserTransactions, version);
        Assert.Equal(0, otherBank["total"]!.GetValue<int>());
        var credits = await GetAsync($"/api/users/{user}/transactions?start_date=2000-01-01&size=500&transaction_type=credit&transaction_type=debit&category=income", reader, MoneyKitModels.UserTransactions, version);
        Assert.All(credits["transactions"]!.AsArray(), t => Assert.Equal("income", t!["category"]!.GetValue<string>()));

        foreach (var bad in new[]
        {
            $"/api/users/{user}/accounts?account_ids={new string('a', 300)}", $"/api/users/{user}/transactions?institution_id={new string('a', 300)}",
            $"/api/users/{user}/transactions?size=501", $"/api/users/{user}/transactions?transaction_type=refund", $"/api/users/{user}/transactions?category={new string('c', 300)}",
        })
        {
            using var response = await fixture.SendAsync(HttpMethod.Get, bad, reader, version: version);
            await AssertShapeAsync(response, HttpStatusCode.UnprocessableEntity, MoneyKitModels.Error("api_error.request.validation_failed"), version);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Account_numbers_and_identity_answer_in_the_published_models_of_the_version(string version)
    {
        var (linkId, _) = await fixture.ConnectAsync("contract-sensitive-" + version);
        var sdk = await fixture.SdkTokenAsync();
        var numbers = await GetAsync($"/api/links/{linkId}/accounts/numbers", sdk, MoneyKitModels.AccountNumbersFor(version), version);
        var accountIds = numbers["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()).ToList();
        if (IsLegacy(version))
        {
            Assert.All(numbers["accounts"]!.AsArray(), a => Assert.NotEmpty(a!["numbers"]!["ach"]!.AsArray())); // Instant Bank prefetches
        }
        else
        {
            Assert.All(numbers["accounts"]!.AsArray(), a => Assert.Null(a!["numbers"]));
            Assert.Equal(accountIds.Order(StringComparer.Ordinal), numbers["numbers"]!["ach"]!.AsArray().Select(n => n!["account_id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        }

        await GetAsync($"/api/links/{linkId}/identity", sdk, MoneyKitModels.Identity, version);

        var (notGranted, _) = await fixture.ConnectAsync("contract-sensitive-not-granted-" + version, products: ["transactions"]);
        foreach (var route in new[] { "accounts/numbers", "identity" })
        {
            using var forbidden = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{notGranted}/{route}", sdk, version: version);
            await AssertShapeAsync(forbidden, HttpStatusCode.Forbidden, MoneyKitModels.Error("link_error.forbidden_action"), version);
            using var missing = await fixture.SendAsync(HttpMethod.Get, $"/api/links/mk_missing_link/{route}", sdk, version: version);
            await AssertShapeAsync(missing, HttpStatusCode.NotFound, MoneyKitModels.Error("link_error.not_found"), version);
        }
    }
}

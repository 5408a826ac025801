using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MoneyKitBridge.Testing.Contract;

namespace MoneyKit.Sandbox.Tests.Contract;

/// <summary>
/// Every MoneyKit endpoint the sandbox serves, called in every <c>MoneyKit-Version</c> it serves, answers in the
/// shape of MoneyKit's published model for that version (<see cref="MoneyKitModels"/>).
/// </summary>
public sealed class SandboxContractTests
{
    public static TheoryData<string> Versions => [.. MoneyKitModels.Versions];

    private static async Task<JsonNode> AssertShapeAsync(HttpResponseMessage response, HttpStatusCode status, ObjectShape shape, string version)
    {
        var text = await response.Content.ReadAsStringAsync();
        var request = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.PathAndQuery}";
        Assert.True(response.StatusCode == status, $"{request}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(version, Assert.Single(response.Headers.GetValues("MoneyKit-Version")));
        var node = JsonNode.Parse(text)!;
        var problems = shape.Check(node, "$").ToList();
        Assert.True(problems.Count == 0, $"{request} ({version}) breaks {shape.Model}:\n{string.Join("\n", problems)}\n{text}");
        return node;
    }

    private static async Task<JsonNode> GetAsync(SandboxHarness sandbox, string path, ObjectShape shape, string version)
    {
        using var response = await sandbox.Http.GetAsync(path);
        return await AssertShapeAsync(response, HttpStatusCode.OK, shape, version);
    }

    private static async Task<string> LinkAsync(SandboxHarness sandbox, string version)
    {
        var prefetch = new { prefetch = true };
        using var session = await sandbox.Http.PostAsJsonAsync("link-session", new
        {
            customer_user = new { id = "contract" },
            institution_id = "instant_bank",
            settings = new { products = new { accounts = prefetch, account_numbers = prefetch, identity = prefetch, transactions = prefetch } },
        });
        var token = (await AssertShapeAsync(session, HttpStatusCode.OK, MoneyKitModels.LinkSession, version))["link_session_token"]!.GetValue<string>();
        var step = await sandbox.GetJsonAsync($"sandbox/connect/{token}");
        using var exchange = await sandbox.Http.PostAsJsonAsync("link-session/exchange-token", new { exchangeable_token = step["exchangeable_token"]!.GetValue<string>() });
        var linkId = (await AssertShapeAsync(exchange, HttpStatusCode.OK, MoneyKitModels.ExchangeToken, version))["link"]!["link_id"]!.GetValue<string>();
        using var seed = await sandbox.Http.PostAsJsonAsync($"sandbox/links/{linkId}/transactions/seed", new { count = 30, days = 20 });
        seed.EnsureSuccessStatusCode();
        return linkId;
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Every_endpoint_answers_in_the_published_model_of_the_version(string version)
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        sandbox.Http.DefaultRequestHeaders.Add("MoneyKit-Version", version);
        using (var unauthorized = await sandbox.Http.GetAsync("institutions"))
        {
            await AssertShapeAsync(unauthorized, HttpStatusCode.Unauthorized, MoneyKitModels.Error("api_error.auth.unauthorized"), version);
        }

        using (var token = await sandbox.Http.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "sandbox_client_id",
            ["client_secret"] = "sandbox_client_secret",
        })))
        {
            var accessToken = (await AssertShapeAsync(token, HttpStatusCode.OK, MoneyKitModels.Token, version))["access_token"]!.GetValue<string>();
            sandbox.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        await GetAsync(sandbox, "auth/introspect", MoneyKitModels.Introspect, version);
        var institutions = await GetAsync(sandbox, "institutions", MoneyKitModels.Institutions, version);
        Assert.Equal(3, institutions["institutions"]!.AsArray().Count);
        await GetAsync(sandbox, "institutions/instant_bank", MoneyKitModels.Institution, version);
        using (var noInstitution = await sandbox.Http.GetAsync("institutions/no_such_bank"))
        {
            await AssertShapeAsync(noInstitution, HttpStatusCode.NotFound, MoneyKitModels.Error("institution_error.not_found"), version);
        }

        var linkId = await LinkAsync(sandbox, version);
        await GetAsync(sandbox, $"links/{linkId}", MoneyKitModels.Link, version);
        using (var patch = await sandbox.Http.PatchAsJsonAsync($"links/{linkId}", new { link_tags = new[] { "contract" } }))
        {
            await AssertShapeAsync(patch, HttpStatusCode.OK, MoneyKitModels.Link, version);
        }

        var accounts = await GetAsync(sandbox, $"links/{linkId}/accounts", MoneyKitModels.Accounts, version);
        Assert.Contains("credit_card", accounts["accounts"]!.AsArray().Select(a => a!["account_type"]!.GetValue<string>()));
        await GetAsync(sandbox, $"links/{linkId}/accounts/{accounts["accounts"]![0]!["account_id"]}", MoneyKitModels.OneAccount, version);
        await GetAsync(sandbox, $"links/{linkId}/accounts/numbers", MoneyKitModels.AccountNumbersFor(version), version);
        var identity = await GetAsync(sandbox, $"links/{linkId}/identity", MoneyKitModels.Identity, version);
        Assert.All(identity["accounts"]!.AsArray(), a => Assert.Single(a!["owners"]!.AsArray()));
        var list = await GetAsync(sandbox, $"links/{linkId}/transactions?start_date=1900-01-01&size=5", MoneyKitModels.TransactionsFor(version), version);
        Assert.Equal(5, list["transactions"]!.AsArray().Count);
        await GetAsync(sandbox, $"links/{linkId}/transactions/sync", MoneyKitModels.TransactionsSync, version);
        var userLinks = await GetAsync(sandbox, "users/contract/links", MoneyKitModels.UserLinks, version);
        Assert.Equal([linkId], userLinks["links"]!.AsObject().Select(p => p.Key));
        var userAccounts = await GetAsync(sandbox, "users/contract/accounts?institution_ids=instant_bank", MoneyKitModels.UserAccounts, version);
        Assert.Equal(accounts["accounts"]!.AsArray().Count, userAccounts["links"]![linkId]!["accounts"]!.AsArray().Count);
        var userTransactions = await GetAsync(sandbox, "users/contract/transactions?start_date=1900-01-01&size=500&transaction_type=debit&transaction_type=credit", MoneyKitModels.UserTransactions, version);
        var linkList = await sandbox.GetJsonAsync($"links/{linkId}/transactions?start_date=1900-01-01&size=100");
        Assert.Equal(linkList["transactions"]!.AsArray().Count, userTransactions["total"]!.GetValue<int>());
        foreach (var bad in new[] { "size=501", "size=0", "page=0", "transaction_type=refund", "start_date=2026-02-30", "end_date=yesterday" })
        {
            using var refused = await sandbox.Http.GetAsync("users/contract/transactions?" + bad);
            await AssertShapeAsync(refused, HttpStatusCode.UnprocessableEntity, MoneyKitModels.Error("api_error.request.validation_failed"), version);
        }

        using (var refresh = await sandbox.RefreshAsync(linkId, "accounts"))
        {
            Assert.Equal(HttpStatusCode.Accepted, refresh.StatusCode);
            Assert.Equal(version, Assert.Single(refresh.Headers.GetValues("MoneyKit-Version")));
        }

        using (var badSize = await sandbox.Http.GetAsync($"links/{linkId}/transactions?size=0"))
        {
            await AssertShapeAsync(badSize, HttpStatusCode.UnprocessableEntity, MoneyKitModels.Error("api_error.request.validation_failed"), version);
        }

        using (var missing = await sandbox.Http.GetAsync("links/mk_missing/accounts"))
        {
            await AssertShapeAsync(missing, HttpStatusCode.NotFound, MoneyKitModels.Error("link_error.not_found"), version);
        }

        using (var state = await sandbox.Http.PostAsJsonAsync($"sandbox/links/{linkId}/state", new { state = "error", error_code = "auth_expired" }))
        {
            state.EnsureSuccessStatusCode();
        }

        var errored = await GetAsync(sandbox, $"links/{linkId}", MoneyKitModels.Link, version);
        Assert.Equal("auth_expired", errored["error_code"]!.GetValue<string>());
        using (var badState = await sandbox.Http.GetAsync($"links/{linkId}/accounts"))
        {
            await AssertShapeAsync(badState, HttpStatusCode.UnprocessableEntity, MoneyKitModels.BadState, version);
        }

        using (var deleted = await sandbox.Http.DeleteAsync($"links/{linkId}"))
        {
            Assert.True(deleted.IsSuccessStatusCode, $"DELETE answered {(int)deleted.StatusCode}");
        }

        using var gone = await sandbox.Http.GetAsync($"links/{linkId}/accounts");
        await AssertShapeAsync(gone, HttpStatusCode.Gone, MoneyKitModels.Error("link_error.deleted"), version);
    }

    [Theory]
    [InlineData("2099-01-01")]
    [InlineData("2023-02-19")]
    [InlineData("latest")]
    public async Task A_version_MoneyKit_does_not_publish_is_refused_not_echoed(string version)
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "institutions");
        request.Headers.Add("MoneyKit-Version", version);
        using var response = await sandbox.Http.SendAsync(request);
        var error = await AssertShapeAsync(response, HttpStatusCode.UnprocessableEntity, MoneyKitModels.Error("api_error.request.validation_failed"), MoneyKitModels.V20230218);
        Assert.Equal(["header", "moneykit-version"], error["validation_errors"]![0]!["loc"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Contains(MoneyKitModels.V20231214, error["error_message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_versions_carry_the_same_numbers_and_transactions_in_their_own_shape()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        var linkId = await LinkAsync(sandbox, MoneyKitModels.V20230218);

        var legacy = await sandbox.GetJsonAsync($"links/{linkId}/accounts/numbers");
        Assert.Null(legacy["numbers"]);
        var legacyNumbers = legacy["accounts"]!.AsArray()
            .Select(a => $"{a!["account_id"]}={a["numbers"]!["ach"]![0]!["account_number"]}/{a["numbers"]!["ach"]![0]!["routing_number"]}");

        sandbox.Http.DefaultRequestHeaders.Add("MoneyKit-Version", MoneyKitModels.V20231214);
        var current = await sandbox.GetJsonAsync($"links/{linkId}/accounts/numbers");
        Assert.All(current["accounts"]!.AsArray(), a => Assert.Null(a!["numbers"]));
        var currentNumbers = current["numbers"]!["ach"]!.AsArray().Select(n => $"{n!["account_id"]}={n["account_number"]}/{n["routing_number"]}");
        Assert.Equal(legacyNumbers.Order(), currentNumbers.Order());

        // The cursor walk of 2023-12-14 yields the same transactions, in the same order, as the pages of 2023-02-18.
        var walked = new List<string>();
        string? cursor = null;
        do
        {
            var page = await sandbox.GetJsonAsync($"links/{linkId}/transactions?start_date=1900-01-01&size=7" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)));
            Assert.Null(page["total"]);
            walked.AddRange(page["transactions"]!.AsArray().Select(t => t!["transaction_id"]!.GetValue<string>()));
            cursor = page["cursor"]!["next"]?.GetValue<string>();
        }
        while (cursor is not null);

        sandbox.Http.DefaultRequestHeaders.Remove("MoneyKit-Version");
        var all = await sandbox.GetJsonAsync($"links/{linkId}/transactions?start_date=1900-01-01&size=100");
        Assert.True(all["total"]!.GetValue<int>() is > 7 and <= 100, "the walk should span several pages and one legacy page");
        Assert.Equal(all["transactions"]!.AsArray().Select(t => t!["transaction_id"]!.GetValue<string>()), walked);
    }
}

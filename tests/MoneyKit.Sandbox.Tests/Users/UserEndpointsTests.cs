using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MoneyKitBridge.Testing.Contract;

namespace MoneyKit.Sandbox.Tests.Users;

/// <summary>
/// The sandbox's user endpoints filter and page as MoneyKit's <c>UsersApi</c> publishes them. Expected results are
/// computed here from each link's own transaction and account lists, never from the user endpoints.
/// </summary>
public sealed class UserEndpointsTests
{
    private static async Task<(SandboxHarness Sandbox, string[] LinkIds)> StartWithLinksAsync()
    {
        var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        var ids = new List<string>();
        foreach (var (user, institution) in new[] { ("u1", "instant_bank"), ("u1", "oauth_bank"), ("u2", "instant_bank") })
        {
            var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = user, institution_id = institution }))["link_id"]!.GetValue<string>();
            using var seed = await sandbox.Http.PostAsJsonAsync($"sandbox/links/{linkId}/transactions/seed", new { count = 60, days = 40 });
            seed.EnsureSuccessStatusCode();
            ids.Add(linkId);
        }

        return (sandbox, [.. ids]);
    }

    private static async Task<List<JsonNode>> LinkTransactionsAsync(SandboxHarness sandbox, string linkId) =>
        [.. (await sandbox.GetJsonAsync($"links/{linkId}/transactions?start_date=1900-01-01&size=100"))["transactions"]!.AsArray().Select(t => t!)];

    private static List<string> NewestFirstIds(IEnumerable<JsonNode> transactions) =>
        [.. transactions
            .OrderByDescending(t => t["date"]!.GetValue<string>(), StringComparer.Ordinal)
            .ThenByDescending(t => t["datetime"]?.GetValue<string>() ?? string.Empty, StringComparer.Ordinal)
            .ThenByDescending(t => t["transaction_id"]!.GetValue<string>(), StringComparer.Ordinal)
            .Select(t => t["transaction_id"]!.GetValue<string>())];

    private static List<string> Ids(JsonNode page) => [.. page["transactions"]!.AsArray().Select(t => t!["transaction_id"]!.GetValue<string>())];

    [Fact]
    public async Task User_transactions_filter_by_type_category_account_institution_and_dates_and_page_across_links()
    {
        var (sandbox, links) = await StartWithLinksAsync();
        await using var _ = sandbox;
        var first = await LinkTransactionsAsync(sandbox, links[0]);
        var second = await LinkTransactionsAsync(sandbox, links[1]);
        var mine = first.Concat(second).ToList();
        var account = first[0]["account_id"]!.GetValue<string>();
        var cut = mine.Select(t => t["date"]!.GetValue<string>()).Order(StringComparer.Ordinal).ElementAt(mine.Count / 2);

        var cases = new (string Query, Func<JsonNode, bool> Keep)[]
        {
            (string.Empty, _ => true),
            ("transaction_type=credit", t => t["type"]!.GetValue<string>() == "credit"),
            ("transaction_type=debit&transaction_type=credit", _ => true),
            ("category=food_and_drink&category=income", t => t["category"]!.GetValue<string>() is "food_and_drink" or "income"),
            ("category=no_such_category", _ => false),
            ($"account_id={account}", t => t["account_id"]!.GetValue<string>() == account),
            ("institution_id=oauth_bank", t => second.Contains(t)),
            ($"end_date={cut}&transaction_type=debit", t => string.CompareOrdinal(t["date"]!.GetValue<string>(), cut) <= 0 && t["type"]!.GetValue<string>() == "debit"),
        };
        foreach (var (query, keep) in cases)
        {
            var expected = NewestFirstIds(mine.Where(keep));
            var page = await sandbox.GetJsonAsync($"users/u1/transactions?start_date=1900-01-01&size=500&{query}");
            Assert.Empty(MoneyKitModels.UserTransactions.Check(page, "$"));
            Assert.True(expected.SequenceEqual(Ids(page)), $"{query}: expected {expected.Count}, got {Ids(page).Count}");
            Assert.Equal(expected.Count, page["total"]!.GetValue<int>());
        }

        var all = NewestFirstIds(mine);
        var page3 = await sandbox.GetJsonAsync("users/u1/transactions?start_date=1900-01-01&size=7&page=3");
        Assert.Equal(all.Skip(14).Take(7), Ids(page3));
        Assert.Equal(3, page3["page"]!.GetValue<int>());
        Assert.Equal(7, page3["size"]!.GetValue<int>());
    }

    [Fact]
    public async Task User_accounts_filter_by_account_and_institution_and_leave_other_users_out()
    {
        var (sandbox, links) = await StartWithLinksAsync();
        await using var _ = sandbox;
        var firstAccounts = (await sandbox.GetJsonAsync($"links/{links[0]}/accounts"))["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()).ToList();

        var all = await sandbox.GetJsonAsync("users/u1/accounts");
        Assert.Empty(MoneyKitModels.UserAccounts.Check(all, "$"));
        Assert.Equal(links[..2].Order(StringComparer.Ordinal), all["links"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(firstAccounts, all["links"]![links[0]]!["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()));

        var one = await sandbox.GetJsonAsync($"users/u1/accounts?account_ids={firstAccounts[1]}");
        Assert.Equal([links[0]], one["links"]!.AsObject().Select(p => p.Key));
        Assert.Equal([firstAccounts[1]], one["links"]![links[0]]!["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()));

        var oauth = await sandbox.GetJsonAsync("users/u1/accounts?institution_ids=oauth_bank");
        Assert.Equal([links[1]], oauth["links"]!.AsObject().Select(p => p.Key));
        var nobody = await sandbox.GetJsonAsync("users/nobody/accounts");
        Assert.Empty(nobody["links"]!.AsObject());
    }

    [Theory]
    [InlineData("size=501")]
    [InlineData("size=0")]
    [InlineData("page=0")]
    [InlineData("transaction_type=refund")]
    [InlineData("transaction_type=CREDIT")]
    [InlineData("start_date=2026-13-01")]
    [InlineData("start_date=2026-03-01&end_date=2026-02-01")]
    public async Task Bad_user_transaction_queries_are_refused_with_a_validation_error(string query)
    {
        var (sandbox, _) = await StartWithLinksAsync();
        await using var __ = sandbox;
        using var response = await sandbox.Http.GetAsync("users/u1/transactions?" + query);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Empty(MoneyKitModels.Error("api_error.request.validation_failed").Check(JsonNode.Parse(await response.Content.ReadAsStringAsync())!, "$"));
    }
}

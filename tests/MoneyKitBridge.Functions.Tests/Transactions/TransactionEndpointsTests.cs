using System.Net;
using System.Text.Json;
using MoneyKitBridge.Functions.Tests.Api;

namespace MoneyKitBridge.Functions.Tests.Transactions;

/// <summary>
/// <c>GET /api/users/{user_id}/transactions</c> against real Azurite and the sandbox: every filter MoneyKit publishes
/// (<c>transaction_type</c>, <c>category</c>, <c>account_id</c>, <c>institution_id</c>, dates) and the paging up to
/// <c>size=500</c>. Expected results are computed here from the sandbox's own per-link transaction lists (MoneyKit's
/// data), never from the bridge's answers.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class TransactionEndpointsTests(ApiFixture fixture)
{
    private async Task<List<JsonElement>> UpstreamTransactionsAsync(string linkId)
    {
        var (status, body) = await fixture.UpstreamAsync($"links/{linkId}/transactions?start_date=1900-01-01&size=100");
        Assert.Equal(200, status);
        Assert.True(body.GetProperty("total").GetInt32() <= 100, "the test reads each link's list in one page");
        return [.. body.GetProperty("transactions").EnumerateArray()];
    }

    private static List<string> NewestFirstIds(IEnumerable<JsonElement> transactions) =>
        [.. transactions
            .OrderByDescending(t => t.GetProperty("date").GetString(), StringComparer.Ordinal)
            .ThenByDescending(t => t.TryGetProperty("datetime", out var at) && at.ValueKind == JsonValueKind.String ? at.GetString() : string.Empty, StringComparer.Ordinal)
            .ThenByDescending(t => t.GetProperty("transaction_id").GetString(), StringComparer.Ordinal)
            .Select(t => t.GetProperty("transaction_id").GetString()!)];

    private static List<string> Ids(JsonElement page) => [.. page.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()!)];

    [Fact]
    public async Task User_transactions_filter_and_page_as_MoneyKit_publishes_them()
    {
        const string user = "user-transaction-filters";
        var (first, _) = await fixture.ConnectAsync(user, beforeExchange: id => fixture.SeedAsync(id, 70, 50));
        var (second, _) = await fixture.ConnectAsync(user, beforeExchange: id => fixture.SeedAsync(id, 40, 50));
        var (stranger, _) = await fixture.ConnectAsync(user + "-other", beforeExchange: id => fixture.SeedAsync(id, 10, 50));
        var firstTransactions = await UpstreamTransactionsAsync(first);
        var secondIds = (await UpstreamTransactionsAsync(second)).Select(t => t.GetProperty("transaction_id").GetString()).ToHashSet(StringComparer.Ordinal);
        var mine = firstTransactions.Concat(await UpstreamTransactionsAsync(second)).ToList();
        Assert.DoesNotContain((await UpstreamTransactionsAsync(stranger))[0].GetProperty("transaction_id").GetString(), mine.Select(t => t.GetProperty("transaction_id").GetString()));
        var account = firstTransactions[0].GetProperty("account_id").GetString()!;
        var cut = mine.Select(t => t.GetProperty("date").GetString()!).Order(StringComparer.Ordinal).ElementAt(mine.Count / 2);
        static string Type(JsonElement t) => t.GetProperty("type").GetString()!;
        static string Category(JsonElement t) => t.GetProperty("category").GetString()!;
        Assert.Contains(mine, t => Type(t) == "credit");
        Assert.Contains(mine, t => Category(t) == "food_and_drink");

        var cases = new (string Query, Func<JsonElement, bool> Keep)[]
        {
            (string.Empty, _ => true),
            ("transaction_type=credit", t => Type(t) == "credit"),
            ("transaction_type=debit", t => Type(t) == "debit"),
            ("transaction_type=credit&transaction_type=debit", _ => true),
            ("category=food_and_drink", t => Category(t) == "food_and_drink"),
            ("category=food_and_drink&category=income&transaction_type=credit", t => Category(t) is "food_and_drink" or "income" && Type(t) == "credit"),
            ("category=no_such_category", _ => false),
            ($"account_id={account}", t => t.GetProperty("account_id").GetString() == account),
            ($"account_id={account}&category=transportation", t => t.GetProperty("account_id").GetString() == account && Category(t) == "transportation"),
            ("institution_id=instant_bank&transaction_type=debit", t => Type(t) == "debit"),
            ("institution_id=oauth_bank", _ => false),
            ($"end_date={cut}&transaction_type=debit", t => string.CompareOrdinal(t.GetProperty("date").GetString(), cut) <= 0 && Type(t) == "debit"),
        };
        var reader = await fixture.ReaderTokenAsync();
        foreach (var (query, keep) in cases)
        {
            var expected = NewestFirstIds(mine.Where(keep));
            var page = await fixture.GetJsonAsync($"/api/users/{user}/transactions?start_date=1900-01-01&size=500&{query}", reader);
            Assert.True(expected.SequenceEqual(Ids(page)), $"{query}: expected {expected.Count} transactions, got {Ids(page).Count}");
            Assert.Equal(expected.Count, page.GetProperty("total").GetInt32());
            Assert.Equal(expected.Count, page.GetProperty("size").GetInt32());
        }

        Assert.True(mine.Count > 100, "size=500 must return more than the old cap of 100");
        var all = NewestFirstIds(mine);
        var third = await fixture.GetJsonAsync($"/api/users/{user}/transactions?start_date=1900-01-01&size=9&page=3", reader);
        Assert.Equal(all.Skip(18).Take(9), Ids(third));
        Assert.Equal(all.Count, third.GetProperty("total").GetInt32());
        var credits = await fixture.GetJsonAsync($"/api/users/{user}/transactions?start_date=1900-01-01&size=500&transaction_type=credit", reader);
        Assert.Contains(Ids(credits), secondIds.Contains); // both links' credits are merged
    }

    [Theory]
    [InlineData("size=501", "size")]
    [InlineData("transaction_type=refund", "transaction_type")]
    [InlineData("transaction_type=Credit", "transaction_type")]
    [InlineData("start_date=2026-02-30", "start_date")]
    public async Task Invalid_user_transaction_queries_get_MoneyKits_validation_error(string query, string field)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/users/user-transaction-filters/transactions?" + query, await fixture.ReaderTokenAsync());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("api_error.request.validation_failed", body.RootElement.GetProperty("error_code").GetString());
        Assert.Contains(body.RootElement.GetProperty("validation_errors").EnumerateArray(), e => e.GetProperty("loc")[1].GetString() == field);
    }
}

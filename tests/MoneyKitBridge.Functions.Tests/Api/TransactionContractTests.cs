using System.Text.Json;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// The seed's <c>GET /links/{id}/transactions</c> contract: for the same link and query, the app answers exactly what
/// MoneyKit (the sandbox) answers — total, page, size, every transaction field in the same order, the accounts and
/// the link — while serving from its own snapshot.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class TransactionContractTests(ApiFixture fixture)
{
    // {a0}..{a2} stand for the link's three account ids. The test clock's today is 2026-01-05; data spans ~400 days.
    public static TheoryData<string> Queries() => new()
    {
        string.Empty,
        "page=1",
        "page=2",
        "size=10",
        "size=10&page=3",
        "size=100",
        "size=1&page=7",
        "size=50&page=999",
        "start_date=2025-06-01&end_date=2025-12-31",
        "start_date=2025-06-01&end_date=2025-12-31&size=25&page=4",
        "start_date=2025-01-01",
        "end_date=2025-10-01",
        "end_date=2025-10-01&page=2&size=20",
        "start_date=2026-01-04&end_date=2026-01-04",
        "start_date=2025-09-15&end_date=2025-09-15",
        "start_date=2020-01-01&end_date=2030-01-01&size=100",
        "start_date=2020-01-01&end_date=2030-01-01&size=100&page=3",
        "start_date=2020-01-01&end_date=2020-12-31",
        "account_ids={a0}",
        "account_ids={a0}&account_ids={a1}",
        "account_ids={a0},{a2}",
        "account_ids[]={a1}",
        "account_ids=acc_unknown",
        "account_ids={a0}&account_ids=acc_unknown",
        "account_ids={a2}&account_ids={a2}",
        "account_ids={a1}&start_date=2025-03-01&end_date=2025-09-30&size=7&page=2",
        "account_ids={a0}&account_ids={a1}&account_ids={a2}&start_date=2024-01-01&size=33&page=5",
        "unknown_parameter=1&size=5",
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Answers_exactly_like_MoneyKit(string template)
    {
        var link = await fixture.RichLinkAsync();
        var query = Fill(template, link);

        var expected = await Upstream(link, query);
        var actual = await fixture.GetJsonAsync($"/api/links/{link.LinkId}/transactions?{query}");

        AssertSamePage(expected, actual, query);
    }

    /// <summary>Edge-case parameters: the app accepts exactly what MoneyKit accepts and refuses what it refuses.</summary>
    public static TheoryData<string> EdgeQueries() => new()
    {
        "start_date=",
        "end_date=",
        "page=",
        "size=",
        "account_ids=",
        "page=+2",
        "page=%202",
        "page=2%20",
        "page=02",
        "size=050",
        "page=2.0",
        "page=-0",
        "size=101",
        "size=100",
        "page=1000000",
        "page=2147483648",
        "start_date=2025-02-30",
        "start_date=2024-02-29&end_date=2024-03-01",
        "end_date=2025-1-01",
        "end_date=20250101",
        "start_date=2026-01-05&end_date=2026-01-05",
        "start_date=2026-01-06",
        "end_date=2100-01-01",
    };

    // Deliberately stricter than MoneyKit (the sandbox takes the first value / any int page): a repeated scalar
    // parameter and page > 1,000,000 are 422 in the app; see BadInputTests.

    [Theory]
    [MemberData(nameof(EdgeQueries))]
    public async Task Accepts_and_refuses_exactly_what_MoneyKit_does(string query)
    {
        var link = await fixture.RichLinkAsync();

        var (expectedStatus, expected) = await fixture.UpstreamAsync($"links/{link.LinkId}/transactions?{query}");
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{link.LinkId}/transactions?{query}", await fixture.ReaderTokenAsync());

        Assert.True(expectedStatus == (int)response.StatusCode, $"'{query}': MoneyKit {expectedStatus} {expected}, app {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (expectedStatus == 200)
        {
            AssertSamePage(expected, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, query);
        }
        else
        {
            var body = await MoneyKitErrors.AssertAsync(response, (System.Net.HttpStatusCode)expectedStatus, expected.GetProperty("error_code").GetString()!);
            Assert.Equal(
                MoneyKitErrors.Locations(expected).Order(StringComparer.Ordinal),
                MoneyKitErrors.Locations(body).Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [InlineData(13, "")]
    [InlineData(50, "start_date=2020-01-01&end_date=2030-01-01")]
    [InlineData(17, "account_ids={a1}&start_date=2020-01-01&end_date=2030-01-01")]
    public async Task Every_page_matches_and_the_pages_cover_the_whole_result_once(int size, string template)
    {
        var link = await fixture.RichLinkAsync();
        var filter = Fill(template, link);
        var seen = new List<string>();
        int total;
        var page = 1;
        do
        {
            var query = $"{filter}&size={size}&page={page}".TrimStart('&');
            var expected = await Upstream(link, query);
            var actual = await fixture.GetJsonAsync($"/api/links/{link.LinkId}/transactions?{query}");
            AssertSamePage(expected, actual, query);
            total = actual.GetProperty("total").GetInt32();
            seen.AddRange(actual.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()!));
            page++;
        }
        while ((page - 1) * size < total);

        Assert.True(total > size, $"the filter should span several pages (total {total})");
        Assert.Equal(total, seen.Count);
        Assert.Equal(total, seen.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(13, "")]
    [InlineData(120, "start_date=2020-01-01&end_date=2030-01-01")]
    [InlineData(17, "account_ids={a1}&start_date=2020-01-01&end_date=2030-01-01")]
    public async Task In_2023_12_14_every_cursor_page_matches_MoneyKits_and_the_pages_cover_the_whole_result_once(int size, string template)
    {
        var link = await fixture.RichLinkAsync();
        var filter = Fill(template, link);
        var seen = new List<string>();
        string? upstreamCursor = null;
        string? cursor = null;
        var pages = 0;
        do
        {
            var query = $"{filter}&size={size}".TrimStart('&');
            var (status, expected) = await fixture.UpstreamAsync($"links/{link.LinkId}/transactions?{query}{CursorParameter(upstreamCursor)}", V20231214);
            Assert.Equal(200, status);
            var actual = await GetAsync(link, query + CursorParameter(cursor), V20231214);
            AssertSamePage(expected, actual, query);
            seen.AddRange(actual.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()!));
            upstreamCursor = expected.GetProperty("cursor").GetProperty("next").GetString();
            cursor = actual.GetProperty("cursor").GetProperty("next").GetString();
            Assert.True(++pages < 1000, "the cursor does not end");
        }
        while (cursor is not null);

        var legacy = await fixture.GetJsonAsync($"/api/links/{link.LinkId}/transactions?{filter}&size=1".TrimStart('&'));
        Assert.True(pages > 1, $"the filter should span several pages ({seen.Count} transactions)");
        Assert.Equal(legacy.GetProperty("total").GetInt32(), seen.Count);
        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>2023-12-14's parameters: the app accepts exactly what MoneyKit accepts in that version and refuses what it refuses.</summary>
    [Theory]
    [InlineData("size=500")]
    [InlineData("size=501")]
    [InlineData("size=101")]
    [InlineData("size=")]
    [InlineData("cursor=")]
    [InlineData("cursor=not-a-cursor")]
    [InlineData("page=0")]
    [InlineData("page=x&size=3")]
    [InlineData("start_date=2025-02-30")]
    public async Task In_2023_12_14_accepts_and_refuses_exactly_what_MoneyKit_does(string query)
    {
        var link = await fixture.RichLinkAsync();

        var (expectedStatus, expected) = await fixture.UpstreamAsync($"links/{link.LinkId}/transactions?{query}", V20231214);
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{link.LinkId}/transactions?{query}", await fixture.ReaderTokenAsync(), version: V20231214);

        Assert.True(expectedStatus == (int)response.StatusCode, $"'{query}': MoneyKit {expectedStatus} {expected}, app {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (expectedStatus == 200)
        {
            AssertSamePage(expected, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, query);
        }
        else
        {
            var body = await MoneyKitErrors.AssertAsync(response, (System.Net.HttpStatusCode)expectedStatus, expected.GetProperty("error_code").GetString()!);
            Assert.Equal(
                MoneyKitErrors.Locations(expected).Order(StringComparer.Ordinal),
                MoneyKitErrors.Locations(body).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Defaults_are_page_1_size_50_and_the_90_days_up_to_today_newest_first()
    {
        var link = await fixture.RichLinkAsync();

        var body = await fixture.GetJsonAsync($"/api/links/{link.LinkId}/transactions");

        Assert.Equal(1, body.GetProperty("page").GetInt32());
        var transactions = body.GetProperty("transactions").EnumerateArray().ToList();
        Assert.Equal(50, transactions.Count);
        Assert.Equal(50, body.GetProperty("size").GetInt32());
        var today = new DateOnly(2026, 1, 5);
        var dates = transactions.Select(t => DateOnly.Parse(t.GetProperty("date").GetString()![..10], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(dates, d => Assert.InRange(d, today.AddDays(-90), today));
        Assert.Equal(dates.OrderByDescending(d => d), dates);
        Assert.Equal(link.LinkId, body.GetProperty("link").GetProperty("link_id").GetString());
        Assert.Equal(3, body.GetProperty("accounts").GetArrayLength());
    }

    private const string V20231214 = "2023-12-14";

    private static string CursorParameter(string? cursor) => cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor);

    private async Task<JsonElement> GetAsync(RichLink link, string query, string version)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{link.LinkId}/transactions?{query}", await fixture.ReaderTokenAsync(), version: version);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET ?{query} ({version}) → {(int)response.StatusCode}: {text}");
        Assert.Equal(version, Assert.Single(response.Headers.GetValues("MoneyKit-Version")));
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string Fill(string template, RichLink link) =>
        template.Replace("{a0}", link.AccountIds[0], StringComparison.Ordinal)
            .Replace("{a1}", link.AccountIds[1], StringComparison.Ordinal)
            .Replace("{a2}", link.AccountIds[2], StringComparison.Ordinal);

    private async Task<JsonElement> Upstream(RichLink link, string query)
    {
        var (status, body) = await fixture.UpstreamAsync($"links/{link.LinkId}/transactions?{query}");
        Assert.True(status == 200, $"sandbox answered {status}: {body}");
        return body;
    }

    private static void AssertSamePage(JsonElement expected, JsonElement actual, string query)
    {
        Assert.Equal(
            expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal),
            actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var field in new[] { "total", "page", "size" }.Where(f => expected.TryGetProperty(f, out _)))
        {
            Assert.True(expected.GetProperty(field).GetInt32() == actual.GetProperty(field).GetInt32(), $"{field} differs for '{query}': MoneyKit {expected.GetProperty(field)}, app {actual.GetProperty(field)}");
        }

        if (expected.TryGetProperty("cursor", out var expectedCursor))
        {
            // Cursors are opaque and each server's own: only whether there is a next page must agree.
            Assert.True(
                (expectedCursor.GetProperty("next").ValueKind == JsonValueKind.Null) == (actual.GetProperty("cursor").GetProperty("next").ValueKind == JsonValueKind.Null),
                $"cursor.next differs for '{query}': MoneyKit {expectedCursor}, app {actual.GetProperty("cursor")}");
        }

        Assert.Equal(Ids(expected, "transactions", "transaction_id"), Ids(actual, "transactions", "transaction_id"));
        var expectedTransactions = expected.GetProperty("transactions").EnumerateArray().ToList();
        var actualTransactions = actual.GetProperty("transactions").EnumerateArray().ToList();
        for (var i = 0; i < expectedTransactions.Count; i++)
        {
            Assert.True(WireValues.Same(expectedTransactions[i], actualTransactions[i]), $"transaction {i} differs for '{query}':\nMoneyKit {WireValues.Show(expectedTransactions[i])}\napp      {WireValues.Show(actualTransactions[i])}");
        }

        // MoneyKit does not document an order for the accounts: compare them by id.
        var expectedAccounts = ById(expected);
        var actualAccounts = ById(actual);
        Assert.Equal(expectedAccounts.Keys, actualAccounts.Keys);
        foreach (var (id, account) in expectedAccounts)
        {
            Assert.True(WireValues.Same(account, actualAccounts[id]), $"account {id} differs for '{query}':\nMoneyKit {WireValues.Show(account)}\napp      {WireValues.Show(actualAccounts[id])}");
        }

        Assert.True(WireValues.Same(expected.GetProperty("link"), actual.GetProperty("link")), $"link differs for '{query}':\nMoneyKit {WireValues.Show(expected.GetProperty("link"))}\napp      {WireValues.Show(actual.GetProperty("link"))}");
    }

    private static SortedDictionary<string, JsonElement> ById(JsonElement body) =>
        new(body.GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("account_id").GetString()!), StringComparer.Ordinal);

    private static List<string> Ids(JsonElement body, string array, string id) =>
        [.. body.GetProperty(array).EnumerateArray().Select(e => e.GetProperty(id).GetString()!)];
}

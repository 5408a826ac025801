using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>ARCHITECTURE flows 1 and 3 through the app: link session, Connect, exchange, data served; reconnect.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class LinkFlowTests(ApiFixture fixture)
{
    private const string AllTime = "start_date=2000-01-01&end_date=2100-01-01";

    [Fact]
    public async Task Connect_then_exchange_stores_the_link_for_its_user_and_serves_its_data()
    {
        const string user = "flow-user-1";
        var (linkId, exchange) = await fixture.ConnectAsync(user, linkTags: ["smoke_test"], beforeExchange: id => fixture.SeedAsync(id, 20, 60));

        Assert.Equal(linkId, exchange.GetProperty("link_id").GetString());
        Assert.Equal(linkId, exchange.GetProperty("link").GetProperty("link_id").GetString());

        // What MoneyKit holds for the link: the bridge's webhook and the app's tags plus the owner tag.
        var (_, upstreamLink) = await fixture.UpstreamAsync($"links/{linkId}");
        Assert.Equal(ApiFixture.WebhookUrl, upstreamLink.GetProperty("webhook").GetString());
        var tags = upstreamLink.GetProperty("link_tags").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Contains("smoke_test", tags);
        Assert.Contains("bridge_user:" + user, tags);

        var link = await fixture.GetJsonAsync($"/api/links/{linkId}");
        Assert.Equal(linkId, link.GetProperty("link_id").GetString());
        Assert.Equal("connected", link.GetProperty("state").GetString());

        var (_, upstreamAccounts) = await fixture.UpstreamAsync($"links/{linkId}/accounts");
        var accounts = await fixture.GetJsonAsync($"/api/links/{linkId}/accounts");
        var byId = (JsonElement body) => body.GetProperty("accounts").EnumerateArray().OrderBy(a => a.GetProperty("account_id").GetString(), StringComparer.Ordinal).ToList();
        Assert.Equal(3, byId(accounts).Count);
        Assert.All(byId(upstreamAccounts).Zip(byId(accounts)), pair => Assert.True(WireValues.Same(pair.First, pair.Second), $"MoneyKit {WireValues.Show(pair.First)}\napp {WireValues.Show(pair.Second)}"));
        Assert.Equal(linkId, accounts.GetProperty("link").GetProperty("link_id").GetString());

        var userLinks = await fixture.GetJsonAsync($"/api/users/{user}/links");
        Assert.Equal([linkId], userLinks.GetProperty("links").EnumerateObject().Select(l => l.Value.GetProperty("link_id").GetString()!));

        var (_, upstreamPage) = await fixture.UpstreamAsync($"links/{linkId}/transactions?{AllTime}&size=100");
        var transactions = await fixture.GetJsonAsync($"/api/users/{user}/transactions?{AllTime}&size=100");
        Assert.Equal(22, upstreamPage.GetProperty("total").GetInt32()); // 2 from Connect + 20 seeded
        Assert.Equal(
            upstreamPage.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()),
            transactions.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()));
        Assert.Equal(22, transactions.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task User_transactions_merge_the_users_links_newest_first_with_paging_and_filters()
    {
        const string user = "flow-user-2";
        var (first, _) = await fixture.ConnectAsync(user, beforeExchange: id => fixture.SeedAsync(id, 30, 120));
        var (second, _) = await fixture.ConnectAsync(user, beforeExchange: id => fixture.SeedAsync(id, 25, 120));
        var (otherUsersLink, _) = await fixture.ConnectAsync("flow-user-2-neighbour", beforeExchange: id => fixture.SeedAsync(id, 5, 120));

        var all = await fixture.GetJsonAsync($"/api/users/{user}/transactions?{AllTime}&size=100");
        // Each link has the two transactions of Connect plus the seeded ones.
        Assert.Equal(59, all.GetProperty("total").GetInt32());
        var items = all.GetProperty("transactions").EnumerateArray().ToList();
        Assert.Equal(59, items.Count);
        var byLink = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var linkId in new[] { first, second, otherUsersLink })
        {
            var (_, page) = await fixture.UpstreamAsync($"links/{linkId}/transactions?{AllTime}&size=100");
            foreach (var t in page.GetProperty("transactions").EnumerateArray())
            {
                byLink[t.GetProperty("transaction_id").GetString()!] = linkId;
            }
        }

        Assert.All(items, t => Assert.NotEqual(otherUsersLink, byLink[t.GetProperty("transaction_id").GetString()!]));
        Assert.Equal(32, items.Count(t => byLink[t.GetProperty("transaction_id").GetString()!] == first));
        var stamps = items.Select(t => t.GetProperty("date").GetString()!).ToList();
        Assert.Equal(stamps.OrderDescending(StringComparer.Ordinal), stamps);
        Assert.Equal(
            new[] { first, second }.Order(StringComparer.Ordinal),
            all.GetProperty("links").EnumerateArray().Select(l => l.GetProperty("link_id").GetString()!).Order(StringComparer.Ordinal));

        // Pages of 10 walk the same sequence.
        var paged = new List<string>();
        for (var page = 1; page <= 6; page++)
        {
            var body = await fixture.GetJsonAsync($"/api/users/{user}/transactions?{AllTime}&size=10&page={page}");
            Assert.Equal(59, body.GetProperty("total").GetInt32());
            Assert.Equal(page, body.GetProperty("page").GetInt32());
            paged.AddRange(body.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()!));
        }

        Assert.Equal(items.Select(t => t.GetProperty("transaction_id").GetString()!), paged);

        // account_ids narrows to one of the user's accounts.
        var (_, accounts) = await fixture.UpstreamAsync($"links/{second}/accounts");
        var accountId = accounts.GetProperty("accounts")[0].GetProperty("account_id").GetString()!;
        var filtered = await fixture.GetJsonAsync($"/api/users/{user}/transactions?{AllTime}&size=100&account_ids={accountId}");
        var (_, upstreamFiltered) = await fixture.UpstreamAsync($"links/{second}/transactions?{AllTime}&size=100&account_ids={accountId}");
        Assert.Equal(upstreamFiltered.GetProperty("total").GetInt32(), filtered.GetProperty("total").GetInt32());
        Assert.Equal(
            upstreamFiltered.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()),
            filtered.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()));
        Assert.Equal([accountId], filtered.GetProperty("accounts").EnumerateObject().Select(a => a.Name)); // MoneyKit's {account_id: BasicAccountDetails}
    }

    [Theory]
    [InlineData("nobody-here")]
    [InlineData("user%23with%3Fkey%5Ccharacters%09")]
    [InlineData("a-very-long-user-id-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task A_user_without_links_has_empty_lists(string userId)
    {
        var links = await fixture.GetJsonAsync($"/api/users/{userId}/links");
        Assert.Empty(links.GetProperty("links").EnumerateObject());

        var transactions = await fixture.GetJsonAsync($"/api/users/{userId}/transactions");
        Assert.Equal(0, transactions.GetProperty("total").GetInt32());
        Assert.Equal(0, transactions.GetProperty("transactions").GetArrayLength());
    }

    [Fact]
    public async Task Reconnecting_with_existing_link_id_keeps_the_webhook_and_tags_that_MoneyKit_would_drop()
    {
        const string user = "flow-user-3";
        var (linkId, _) = await fixture.ConnectAsync(user, linkTags: ["team:a", "tier:gold"]);
        await fixture.SandboxPostAsync($"sandbox/links/{linkId}/state", new JsonObject { ["state"] = "error", ["error_code"] = "auth_expired" });

        // The app sends only the user and the link to repair, as MoneyKit's docs show for update mode.
        var (reconnected, exchange) = await fixture.RunSessionAsync(new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = user },
            ["existing_link_id"] = linkId,
        });

        Assert.Equal(linkId, reconnected);
        Assert.Equal("connected", exchange.GetProperty("link").GetProperty("state").GetString());
        var (_, upstream) = await fixture.UpstreamAsync($"links/{linkId}");
        Assert.Equal(ApiFixture.WebhookUrl, upstream.GetProperty("webhook").GetString());
        Assert.Equal(
            new[] { "bridge_user:" + user, "team:a", "tier:gold" },
            upstream.GetProperty("link_tags").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal));
        var userLinks = await fixture.GetJsonAsync($"/api/users/{user}/links");
        Assert.Equal([linkId], userLinks.GetProperty("links").EnumerateObject().Select(l => l.Value.GetProperty("link_id").GetString()!));
    }

    [Fact]
    public async Task The_owner_tag_cannot_be_forged_by_the_app()
    {
        const string user = "flow-user-4";
        var (linkId, _) = await fixture.ConnectAsync(user, linkTags: ["bridge_user:somebody-else", "plain"]);

        var (_, upstream) = await fixture.UpstreamAsync($"links/{linkId}");
        Assert.Equal(
            new[] { "bridge_user:" + user, "plain" },
            upstream.GetProperty("link_tags").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal));
        var others = await fixture.GetJsonAsync("/api/users/somebody-else/links");
        Assert.Empty(others.GetProperty("links").EnumerateObject());
    }
}

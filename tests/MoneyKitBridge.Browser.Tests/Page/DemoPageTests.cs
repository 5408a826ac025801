using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using MoneyKitBridge.Browser.Tests.Connect;
using MoneyKitBridge.Browser.Tests.Hosting;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Browser.Tests.Page;

/// <summary>
/// Every sandbox scenario of MoneyKit's seed clicked through the demo app end to end: demo backend → bridge link session →
/// sandbox Connect UI → back to the demo, which exchanges through the bridge and shows the link from the bridge's snapshot.
/// </summary>
[Collection(BrowserTestGroup.Name)]
public sealed class DemoPageTests(BrowserFixture system)
{
    [Theory]
    [InlineData("user_good", "pass_good")]
    [InlineData("user_1", "pass_good")]
    [InlineData("user_2", "pass_good")]
    public async Task Credentials_bank_good_login_links_the_bank_and_shows_its_data(string username, string password)
    {
        await using var browser = await system.NewPageAsync();
        var page = browser.Page;
        await DemoUi.StartLinkAsync(page, system);
        await BrowserFixture.ScreenshotAsync(page, "connect-institution");
        await ConnectUi.ChooseInstitutionAsync(page, "Credentials Bank");
        await BrowserFixture.ScreenshotAsync(page, "connect-credentials");
        await ConnectUi.LogInAsync(page, username, password);
        await BrowserFixture.ScreenshotAsync(page, "connect-grant");
        await ConnectUi.GrantAsync(page);

        var linkId = await DemoUi.LinkedAsync(page, system);
        await Assertions.Expect(DemoUi.LinkRow(page, linkId).Locator(".institution")).ToHaveTextAsync("Credentials Bank");
        await Assertions.Expect(page.Locator("#accounts tbody tr")).ToHaveCountAsync(3);
        var accounts = await system.BridgeGetAsync($"links/{linkId}/accounts");
        foreach (var account in accounts.GetProperty("accounts").EnumerateArray())
        {
            var row = page.Locator($"#accounts tr[data-account-id=\"{account.GetProperty("account_id").GetString()}\"]");
            await Assertions.Expect(row).ToContainTextAsync(account.GetProperty("name").GetString()!);
            var current = account.GetProperty("balances").GetProperty("current");
            var amount = current.ValueKind == JsonValueKind.String ? decimal.Parse(current.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : current.GetDecimal();
            await Assertions.Expect(row.Locator(".current")).ToHaveTextAsync(amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " USD");
        }

        await AssertTableMatchesAsync(page, linkId, "page=1&size=25");
        await BrowserFixture.ScreenshotAsync(page, "demo-linked");
    }

    [Theory]
    [InlineData("mfa_device", "1234")]
    [InlineData("mfa_question", "Hello,World")]
    [InlineData("mfa_selections", "Blue")]
    public async Task Credentials_bank_mfa_with_the_right_answer_links_the_bank(string password, string answers)
    {
        await using var browser = await system.NewPageAsync();
        var page = browser.Page;
        await DemoUi.StartLinkAsync(page, system);
        await ConnectUi.ChooseInstitutionAsync(page, "Credentials Bank");
        await ConnectUi.LogInAsync(page, "user_good", password);
        await BrowserFixture.ScreenshotAsync(page, "connect-" + password.Replace('_', '-'));
        await ConnectUi.AnswerMfaAsync(page, answers.Split(','));
        await ConnectUi.GrantAsync(page);
        var linkId = await DemoUi.LinkedAsync(page, system);
        Assert.Equal("connected", (await system.BridgeGetAsync($"links/{linkId}")).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("user_good", "wrong_password", null, "invalid_credentials")]
    [InlineData("nobody", "pass_good", null, "invalid_credentials")]
    [InlineData("user_good", "mfa_device", "0000", "user_input_incorrect")]
    [InlineData("user_good", "mfa_question", "Hello,Mars", "user_input_incorrect")]
    [InlineData("user_good", "mfa_selections", "Red", "user_input_incorrect")]
    public async Task Credentials_bank_failure_returns_to_the_app_with_the_error(string username, string password, string? answers, string errorCode)
    {
        await using var browser = await system.NewPageAsync();
        var page = browser.Page;
        await DemoUi.StartLinkAsync(page, system);
        await ConnectUi.ChooseInstitutionAsync(page, "Credentials Bank");
        await ConnectUi.LogInAsync(page, username, password);
        if (answers is not null)
        {
            await ConnectUi.AnswerMfaAsync(page, answers.Split(','));
        }

        if (errorCode == "invalid_credentials" && username == "user_good")
        {
            await BrowserFixture.ScreenshotAsync(page, "connect-failed");
        }

        await ConnectUi.ReturnAfterFailureAsync(page, errorCode);
        await DemoUi.NotLinkedAsync(page, system, errorCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OAuth_bank_consent_approve_links_and_deny_returns_the_error(bool approve)
    {
        await using var browser = await system.NewPageAsync();
        var page = browser.Page;
        await DemoUi.StartLinkAsync(page, system);
        await ConnectUi.ChooseInstitutionAsync(page, "OAuth Bank");
        await BrowserFixture.ScreenshotAsync(page, "connect-oauth");
        await ConnectUi.DecideOAuthAsync(page, approve);
        if (approve)
        {
            await ConnectUi.GrantAsync(page);
            var linkId = await DemoUi.LinkedAsync(page, system);
            await Assertions.Expect(DemoUi.LinkRow(page, linkId).Locator(".institution")).ToHaveTextAsync("OAuth Bank");
        }
        else
        {
            await ConnectUi.ReturnAfterFailureAsync(page, "user_oauth_denied");
            await DemoUi.NotLinkedAsync(page, system, "user_oauth_denied");
        }
    }

    [Fact]
    public async Task Instant_bank_with_a_subset_of_accounts_granted_shows_only_those()
    {
        await using var browser = await system.NewPageAsync();
        var page = browser.Page;
        await DemoUi.StartLinkAsync(page, system);
        await page.GetByLabel("Search institutions").FillAsync("instant");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.List, new() { Name = "Institutions" }).GetByRole(AriaRole.Button)).ToHaveCountAsync(1);
        await ConnectUi.ChooseInstitutionAsync(page, "Instant Bank");
        await ConnectUi.GrantAsync(page, "Savings");

        var linkId = await DemoUi.LinkedAsync(page, system);
        await Assertions.Expect(page.Locator("#accounts tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#accounts tbody")).Not.ToContainTextAsync("Savings");
        var accounts = (await system.BridgeGetAsync($"links/{linkId}/accounts")).GetProperty("accounts").EnumerateArray().ToList();
        Assert.Equal(2, accounts.Count);
        Assert.DoesNotContain(accounts, a => a.GetProperty("account_type").GetString() == "depository.savings");
    }

    [Fact]
    public async Task Cancelling_connect_returns_to_the_app_without_a_link()
    {
        await using var browser = await system.NewPageAsync();
        var page = browser.Page;
        await DemoUi.StartLinkAsync(page, system);
        await ConnectUi.ChooseInstitutionAsync(page, "Credentials Bank");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel and return to the app" }).ClickAsync();
        await DemoUi.NotLinkedAsync(page, system, "user_cancelled");
    }

    [Fact]
    public async Task Transactions_table_matches_the_bridge_api_for_filters_and_pages()
    {
        await using var browser = await system.NewPageAsync();
        var page = browser.Page;
        await DemoUi.StartLinkAsync(page, system);
        await ConnectUi.ChooseInstitutionAsync(page, "Instant Bank");

        // A longer history at MoneyKit before the app gets the link (the login is done, the grant step is open): the
        // bridge's first sync stores it all.
        var token = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        var session = await system.SandboxGetAsync($"sandbox/connect/{token}");
        await system.SandboxPostAsync($"sandbox/links/{session.GetProperty("link_id").GetString()}/transactions/seed", new JsonObject { ["count"] = 90, ["days"] = 120 });
        await ConnectUi.GrantAsync(page);
        var linkId = await DemoUi.LinkedAsync(page, system);

        var accountIds = (await system.BridgeGetAsync($"links/{linkId}/accounts")).GetProperty("accounts").EnumerateArray()
            .Select(a => a.GetProperty("account_id").GetString()!).ToList();
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
        var start = today.AddDays(-60).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var end = today.AddDays(-20).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        // No filter, 25 a page (Instant Bank's history spans several pages).
        await AssertTableMatchesAsync(page, linkId, "page=1&size=25");
        Assert.True((await system.BridgeGetAsync($"links/{linkId}/transactions")).GetProperty("total").GetInt32() > 25);

        // Next page.
        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await AssertTableMatchesAsync(page, linkId, "page=2&size=25");

        // One account, 10 a page.
        await page.GetByRole(AriaRole.Group, new() { Name = "Accounts" }).Locator($"input[value=\"{accountIds[0]}\"]").CheckAsync();
        await page.GetByLabel("Per page").SelectOptionAsync("10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await AssertTableMatchesAsync(page, linkId, $"account_ids={accountIds[0]}&page=1&size=10");

        // Two accounts and a date range.
        await page.GetByRole(AriaRole.Group, new() { Name = "Accounts" }).Locator($"input[value=\"{accountIds[2]}\"]").CheckAsync();
        await page.GetByLabel("From").FillAsync(start);
        await page.GetByLabel("To").FillAsync(end);
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await AssertTableMatchesAsync(page, linkId, $"account_ids={accountIds[0]}&account_ids={accountIds[2]}&start_date={start}&end_date={end}&page=1&size=10");
        await BrowserFixture.ScreenshotAsync(page, "demo-transactions");
    }

    [Fact]
    public async Task Link_state_changes_appear_without_a_reload_and_disconnect_removes_the_link()
    {
        await using var browser = await system.NewPageAsync();
        var page = browser.Page;
        await DemoUi.StartLinkAsync(page, system);
        await ConnectUi.ChooseInstitutionAsync(page, "Instant Bank");
        await ConnectUi.GrantAsync(page);
        var linkId = await DemoUi.LinkedAsync(page, system);
        var row = DemoUi.LinkRow(page, linkId);

        // Refresh within MoneyKit's hourly limit: the page says so, as an answer rather than a failed request.
        await row.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Refresh");

        // MoneyKit puts the link in error (webhook to the bridge); the page shows it on its own.
        await system.SandboxPostAsync($"sandbox/links/{linkId}/state", new JsonObject { ["state"] = "error", ["error_code"] = "auth_expired" });
        // Normally within a poll or two; the bound also covers one redelivery (MoneyKit's first retry comes 30 s after a
        // delivery the loaded bridge did not answer within the sandbox's 15 s).
        await Assertions.Expect(row.Locator(".state-cell")).ToHaveAttributeAsync("data-state", "error", new() { Timeout = 75_000 });
        await Assertions.Expect(row.Locator(".state-cell")).ToContainTextAsync("auth_expired");
        await BrowserFixture.ScreenshotAsync(page, "demo-link-error");

        await row.GetByRole(AriaRole.Button, new() { Name = "Disconnect" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Disconnected " + linkId);
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#link-detail")).ToBeHiddenAsync();
    }

    /// <summary>
    /// Once the page shows <paramref name="query"/>'s result (the table names the query it rendered), its rows are the
    /// bridge API's answer to the same query, in its order, and the pager states the same total.
    /// </summary>
    private async Task AssertTableMatchesAsync(IPage page, string linkId, string query)
    {
        // The page polls its backend: wait until it shows this query with the total the bridge answers now (the link's
        // first sync may still be storing rows when the page first loads), then compare the rows.
        var table = page.Locator("#transactions");
        await Assertions.Expect(table).ToHaveAttributeAsync("data-query", query);
        var (api, _) = await Eventually.ValueAsync(
            async () => (await system.BridgeGetAsync($"links/{linkId}/transactions?{query}"), await page.Locator("#page-info").GetAttributeAsync("data-total")),
            seen => seen.Item1.GetProperty("total").GetInt32() > 0
                && seen.Item2 == seen.Item1.GetProperty("total").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"the page to show the bridge's transactions of {linkId} for {query}",
            describe: seen => $"bridge total {seen.Item1.GetProperty("total")}, page total {seen.Item2}");
        await Assertions.Expect(table).ToHaveAttributeAsync("data-query", query);
        var expected = api.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()!).ToList();
        var shown = await page.Locator("#transactions tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.transactionId)");
        Assert.Equal(expected, shown);
        var first = api.GetProperty("transactions")[0];
        await Assertions.Expect(page.Locator("#transactions tbody tr").First).ToContainTextAsync(first.GetProperty("description").GetString()!);
    }
}

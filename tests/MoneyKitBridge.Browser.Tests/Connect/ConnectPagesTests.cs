using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MoneyKitBridge.Browser.Tests.Page;
using MoneyKitBridge.Browser.Tests.Hosting;

namespace MoneyKitBridge.Browser.Tests.Connect;

/// <summary>The sandbox Connect UI on its own terms: keyboard-only use and focus order.</summary>
[Collection(BrowserTestGroup.Name)]
public sealed class ConnectPagesTests(BrowserFixture system)
{
    [Fact]
    public async Task Keyboard_alone_links_a_bank_with_mfa_and_a_partial_grant()
    {
        await using var browser = await system.NewPageAsync();
        var page = browser.Page;
        var keyboard = page.Keyboard;
        await page.GotoAsync(system.DemoUrl.ToString());
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Link an account" })).ToBeFocusedAsync();
        await keyboard.PressAsync("Enter");

        // Institution: the search field has focus; searching keeps it; the matching bank follows the Search button.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/connect/lst_"));
        await Assertions.Expect(page.GetByLabel("Search institutions")).ToBeFocusedAsync();
        await keyboard.TypeAsync("credentials");
        await Assertions.Expect(page.GetByLabel("Search institutions")).ToHaveValueAsync("credentials");
        await keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("q=credentials"));
        await Assertions.Expect(page.GetByLabel("Search institutions")).ToBeFocusedAsync();
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true })).ToBeFocusedAsync();
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Credentials Bank" })).ToBeFocusedAsync();
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel and return to the app" })).ToBeFocusedAsync();
        await keyboard.PressAsync("Shift+Tab");
        await keyboard.PressAsync("Enter");

        // Credentials: username first, then password; Enter submits.
        await Assertions.Expect(page.GetByLabel("Username")).ToBeFocusedAsync();
        await keyboard.TypeAsync("user_good");
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByLabel("Password")).ToBeFocusedAsync();
        await keyboard.TypeAsync("mfa_selections");
        await keyboard.PressAsync("Enter");

        // Selection MFA: arrow keys move through the options, Tab reaches Submit.
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Red" })).ToBeFocusedAsync();
        await keyboard.PressAsync("ArrowDown");
        await keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Blue" })).ToBeCheckedAsync();
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Submit" })).ToBeFocusedAsync();
        await keyboard.PressAsync("Enter");

        // Grant: Space unticks the first account; Tab walks the accounts, the product, then the button.
        var accounts = page.GetByRole(AriaRole.Group, new() { Name = "Accounts" }).GetByRole(AriaRole.Checkbox);
        await Assertions.Expect(accounts.First).ToBeFocusedAsync();
        await keyboard.PressAsync("Space");
        await Assertions.Expect(accounts.First).Not.ToBeCheckedAsync();
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(accounts.Nth(1)).ToBeFocusedAsync();
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(accounts.Nth(2)).ToBeFocusedAsync();
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Transactions" })).ToBeFocusedAsync();
        await keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Share and continue" })).ToBeFocusedAsync();
        await keyboard.PressAsync("Enter");

        await DemoUi.LinkedAsync(page, system);
        await Assertions.Expect(page.Locator("#accounts tbody tr")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task Failure_page_focuses_the_way_back_to_the_app()
    {
        await using var browser = await system.NewPageAsync();
        var page = browser.Page;
        await DemoUi.StartLinkAsync(page, system);
        await ConnectUi.ChooseInstitutionAsync(page, "OAuth Bank");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Deny" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Return to the app" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await DemoUi.NotLinkedAsync(page, system, "user_oauth_denied");
    }
}

using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MoneyKitBridge.Browser.Tests.Hosting;

namespace MoneyKitBridge.Browser.Tests.Page;

/// <summary>The demo page as its user sees it.</summary>
public static partial class DemoUi
{
    /// <summary>Opens the demo and starts "Link an account"; returns once the sandbox Connect UI shows.</summary>
    public static async Task StartLinkAsync(IPage page, BrowserFixture system)
    {
        await page.GotoAsync(system.DemoUrl.ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "MoneyKit Bridge demo" })).ToBeVisibleAsync();
        // The button stays disabled until the demo's link session answers (demo -> bridge -> MoneyKit), so a second
        // click could never help: one click, and a bound for a loaded machine. The URL is polled (a web-first
        // assertion), not awaited as a navigation event: full-suite runs twice ended on /connect/lst_... showing the
        // bank list while WaitForURL (load, then commit) was still waiting. A failure says where the page is, what it
        // shows and what the apps logged.
        await page.GetByRole(AriaRole.Button, new() { Name = "Link an account" }).ClickAsync();
        try
        {
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("/connect/lst_"), new() { Timeout = 90_000 });
        }
        catch (PlaywrightException e)
        {
            throw new TimeoutException(
                $"Connect did not open: the page is at {page.Url} and shows \"{await page.Locator("body").InnerTextAsync()}\".{Environment.NewLine}{system.RecentAppOutput()}", e);
        }

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Select your bank" })).ToBeVisibleAsync();
    }

    /// <summary>Back on the demo after a successful Connect: the new link's id, shown connected and selected.</summary>
    public static async Task<string> LinkedAsync(IPage page, BrowserFixture system)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Linked ");
        Assert.StartsWith(system.DemoUrl.ToString(), page.Url, StringComparison.Ordinal);
        var status = await page.GetByRole(AriaRole.Status).TextContentAsync() ?? string.Empty;
        var linkId = LinkIdPattern().Match(status).Value;
        Assert.StartsWith("mk_", linkId, StringComparison.Ordinal);
        await Assertions.Expect(LinkRow(page, linkId).Locator(".state-cell")).ToHaveAttributeAsync("data-state", "connected");
        await Assertions.Expect(page.Locator("#detail-heading")).ToContainTextAsync(linkId);
        return linkId;
    }

    /// <summary>Back on the demo after Connect ended without a link: the page says why, and no link was added.</summary>
    public static async Task NotLinkedAsync(IPage page, BrowserFixture system, string errorCode)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Connect ended without a new link: " + errorCode);
        Assert.StartsWith(system.DemoUrl.ToString(), page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#links tbody tr")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#no-links")).ToBeVisibleAsync();
    }

    public static ILocator LinkRow(IPage page, string linkId) => page.Locator($"#links tr[data-link-id=\"{linkId}\"]");

    [GeneratedRegex("mk_[A-Za-z0-9]+")]
    private static partial Regex LinkIdPattern();
}

using System.Text.Json.Nodes;
using Microsoft.Playwright;
using MoneyKitBridge.Browser.Tests.Connect;
using MoneyKitBridge.Browser.Tests.Hosting;
using MoneyKitBridge.Browser.Tests.Page;

namespace MoneyKitBridge.Browser.Tests.Operations;

/// <summary>
/// Issue 15 part 3 in Chromium: the operator page served by the bridge (<c>GET /api/ops</c>) signed in with an
/// <c>ops:read</c> client, keyboard only; a link MoneyKit puts in error shows as unhealthy within seconds; its
/// detail shows the state change and its outcome; no console errors (<see cref="BrowserPage"/>).
/// </summary>
[Collection(BrowserTestGroup.Name)]
public sealed class OpsPageTests(BrowserFixture system)
{
    /// <summary>"Within seconds": the page polls every two; the rest is the webhook's way on a loaded machine.</summary>
    private static readonly LocatorAssertionsToHaveTextOptions WithinSeconds = new() { Timeout = 15_000 };

    [Fact]
    public async Task An_operator_signs_in_by_keyboard_and_sees_a_link_put_in_error_turn_unhealthy_with_its_detail()
    {
        // A link, made by a user through the demo and the sandbox Connect UI.
        await using var demo = await system.NewPageAsync();
        await DemoUi.StartLinkAsync(demo.Page, system);
        await ConnectUi.ChooseInstitutionAsync(demo.Page, "Instant Bank");
        await ConnectUi.GrantAsync(demo.Page);
        var linkId = await DemoUi.LinkedAsync(demo.Page, system);

        await using var browser = await system.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(new Uri(system.BridgeUrl, "api/ops").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in with an operator client" })).ToBeVisibleAsync();

        // Keyboard only: the client id, Tab, the secret, Enter.
        await page.GetByLabel("Client id").FocusAsync();
        await page.Keyboard.TypeAsync(BrowserFixture.OpsClientId);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(BrowserFixture.OpsClientSecret);
        await page.Keyboard.PressAsync("Enter");
        var row = page.Locator($"#links tr[data-link-id=\"{linkId}\"]");
        await Assertions.Expect(row.Locator(".health")).ToHaveTextAsync("healthy", WithinSeconds);
        await Assertions.Expect(page.GetByLabel("State")).ToBeFocusedAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length + document.cookie.length"));
        await BrowserFixture.ScreenshotAsync(page, "ops-links");

        // MoneyKit puts the link in error (a webhook to the bridge): the list shows it unhealthy on its own.
        await system.SandboxPostAsync($"sandbox/links/{linkId}/state", new JsonObject { ["state"] = "error", ["error_code"] = "auth_expired" });
        await Assertions.Expect(row.Locator(".health")).ToHaveTextAsync("unhealthy", WithinSeconds);
        await Assertions.Expect(row).ToContainTextAsync("auth_expired");

        // Tab from the filters to the link's button (the list redraws meanwhile; focus stays), Enter opens its detail.
        var button = row.GetByRole(AriaRole.Button);
        var reached = false;
        for (var tabs = 0; tabs < 80 && !reached; tabs++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await button.EvaluateAsync<bool>("b => b === document.activeElement");
        }

        Assert.True(reached, "Tab never reached the link's button");
        await page.Keyboard.PressAsync("Enter");
        var detail = page.Locator("#detail");
        await Assertions.Expect(detail).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#detail-title")).ToHaveTextAsync($"Link {linkId} — unhealthy");
        await Assertions.Expect(page.Locator("#detail-summary")).ToContainTextAsync("auth_expired");
        var stateChange = page.Locator("#detail-events tr", new() { HasText = "link.state_changed" });
        await Assertions.Expect(stateChange.First).ToContainTextAsync("applied");
        await Assertions.Expect(page.Locator("#detail-syncs tr").First).Not.ToContainTextAsync("none");
        await Assertions.Expect(page.Locator("#hooks-chart svg rect").First).ToBeAttachedAsync();
        await Assertions.Expect(page.Locator("#lag-chart svg rect").First).ToBeAttachedAsync();
        await BrowserFixture.ScreenshotAsync(page, "ops-link-error");

        // Nothing on the page is a secret: the operator secret left the form, no token is shown.
        await Assertions.Expect(page.GetByLabel("Client secret")).ToHaveValueAsync(string.Empty);
        Assert.DoesNotContain(BrowserFixture.OpsClientSecret, await page.ContentAsync(), StringComparison.Ordinal);
    }
}

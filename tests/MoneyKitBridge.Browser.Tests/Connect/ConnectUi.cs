using Microsoft.Playwright;

namespace MoneyKitBridge.Browser.Tests.Connect;

/// <summary>A person's clicks in the sandbox Connect UI (<c>/connect/{token}</c>), found by role and label as a screen reader would.</summary>
public static class ConnectUi
{
    public static Task ChooseInstitutionAsync(IPage page, string name) =>
        page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true }).ClickAsync();

    public static async Task LogInAsync(IPage page, string username, string password)
    {
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
    }

    /// <summary>Answers the MFA step: text answers in order, or the one option of a selection.</summary>
    public static async Task AnswerMfaAsync(IPage page, IReadOnlyList<string> answers)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Verify it's you" })).ToBeVisibleAsync();
        var radios = page.GetByRole(AriaRole.Radio);
        if (await radios.CountAsync() > 0)
        {
            await page.GetByRole(AriaRole.Radio, new() { Name = answers[0], Exact = true }).CheckAsync();
        }
        else
        {
            var inputs = page.Locator("input[name=answer]");
            Assert.Equal(answers.Count, await inputs.CountAsync());
            for (var i = 0; i < answers.Count; i++)
            {
                await inputs.Nth(i).FillAsync(answers[i]);
            }
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
    }

    public static Task DecideOAuthAsync(IPage page, bool approve) =>
        page.GetByRole(AriaRole.Button, new() { Name = approve ? "Approve" : "Deny", Exact = true }).ClickAsync();

    /// <summary>The grant step: unticks <paramref name="declinedAccounts"/> (by name), then shares.</summary>
    public static async Task GrantAsync(IPage page, params string[] declinedAccounts)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose what to share" })).ToBeVisibleAsync();
        foreach (var account in declinedAccounts)
        {
            await page.GetByRole(AriaRole.Group, new() { Name = "Accounts" }).GetByLabel(account).UncheckAsync();
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Share and continue" }).ClickAsync();
    }

    /// <summary>The failure page: shows <paramref name="errorCode"/>, then goes back to the app.</summary>
    public static async Task ReturnAfterFailureAsync(IPage page, string errorCode)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connection failed" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(errorCode);
        await page.GetByRole(AriaRole.Link, new() { Name = "Return to the app" }).ClickAsync();
    }
}

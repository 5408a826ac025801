using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace MoneyKit.Sandbox.Tests;

/// <summary>
/// The HTML Connect UI over plain HTTP (its browser tests live in MoneyKitBridge.Browser.Tests): each form answer moves
/// the same session the headless surface reads, and the end of the flow sends the browser back to <c>redirect_uri</c>.
/// </summary>
public sealed partial class ConnectPagesTests
{
    private const string RedirectUri = "https://app.example/connected?state=s1";

    private static async Task<(SandboxHarness Sandbox, HttpClient Browser, string Token)> StartAsync(string? institutionId = null)
    {
        var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        using var response = await sandbox.Http.PostAsJsonAsync("link-session", new
        {
            customer_user = new { id = "customer-1" },
            institution_id = institutionId,
            redirect_uri = RedirectUri,
        });
        var token = (await SandboxHarness.ReadJsonAsync(response))["link_session_token"]!.GetValue<string>();
        var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = sandbox.Server.BaseAddress };
        return (sandbox, browser, token);
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string token, string step, params (string Name, string Value)[] fields) =>
        await browser.PostAsync($"connect/{token}/{step}", new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

    private static async Task<string> StepAsync(SandboxHarness sandbox, string token) =>
        (await sandbox.GetJsonAsync($"sandbox/connect/{token}"))["step"]!.GetValue<string>();

    [Fact]
    public async Task Pages_are_self_contained_html_with_labelled_fields()
    {
        var (sandbox, browser, token) = await StartAsync();
        await using var _ = sandbox;
        using var __ = browser;
        using var page = await browser.GetAsync($"connect/{token}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<label for=\"q\">Search institutions</label>", html, StringComparison.Ordinal);
        Assert.Contains("<link rel=\"icon\" href=\"data:,\">", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExternalReference(), html);
        foreach (var bank in new[] { "Credentials Bank", "OAuth Bank", "Instant Bank" })
        {
            Assert.Contains(bank, html, StringComparison.Ordinal);
        }

        using var search = await browser.GetAsync($"connect/{token}?q=oauth");
        var found = await search.Content.ReadAsStringAsync();
        Assert.Contains("OAuth Bank", found, StringComparison.Ordinal);
        Assert.DoesNotContain("Instant Bank", found, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Form_answers_drive_the_shared_flow_and_the_grant_redirects_with_the_token()
    {
        var (sandbox, browser, token) = await StartAsync();
        await using var _ = sandbox;
        using var __ = browser;
        using (var chosen = await PostFormAsync(browser, token, "institution", ("institution_id", "credentials_bank")))
        {
            Assert.Equal(HttpStatusCode.SeeOther, chosen.StatusCode);
            Assert.Equal($"/connect/{token}", chosen.Headers.Location!.ToString());
        }

        Assert.Equal("credentials", await StepAsync(sandbox, token));
        (await PostFormAsync(browser, token, "credentials", ("username", "user_good"), ("password", "mfa_question"))).Dispose();
        Assert.Equal("mfa", await StepAsync(sandbox, token));
        var mfaPage = await browser.GetStringAsync($"connect/{token}");
        Assert.Contains("Sandbox: answer Hello", mfaPage, StringComparison.Ordinal);
        (await PostFormAsync(browser, token, "mfa", ("answer", "Hello"), ("answer", "World"))).Dispose();
        var complete = await sandbox.GetJsonAsync($"sandbox/connect/{token}");
        Assert.Equal("complete", complete["step"]!.GetValue<string>());
        var accounts = complete["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>()).ToList();

        using var grant = await PostFormAsync(browser, token, "grant", ("account_id", accounts[0]), ("account_id", accounts[2]));
        Assert.Equal(HttpStatusCode.SeeOther, grant.StatusCode);
        var location = grant.Headers.Location!.ToString();
        Assert.StartsWith(RedirectUri + "&exchangeable_token=", location, StringComparison.Ordinal);
        var exchanged = await ConnectTests.ExchangeAsync(sandbox, Uri.UnescapeDataString(location.Split("exchangeable_token=")[1]));
        var granted = (await sandbox.GetJsonAsync($"links/{exchanged["link_id"]}/accounts"))["accounts"]!.AsArray().Select(a => a!["account_id"]!.GetValue<string>());
        Assert.Equal(new[] { accounts[0], accounts[2] }.Order(StringComparer.Ordinal), granted.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Granting_no_account_stays_on_the_grant_step_with_the_reason()
    {
        var (sandbox, browser, token) = await StartAsync("instant_bank");
        await using var _ = sandbox;
        using var __ = browser;
        using var refused = await PostFormAsync(browser, token, "grant", ("product", "transactions"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Contains("role=\"alert\">Grant at least one account.", html, StringComparison.Ordinal);
        var step = await sandbox.GetJsonAsync($"sandbox/connect/{token}");
        Assert.Equal("complete", step["step"]!.GetValue<string>());
        Assert.Equal(3, step["accounts"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("deny", "user_oauth_denied")]
    [InlineData(null, "user_cancelled")]
    public async Task Deny_shows_the_failure_and_cancel_returns_to_the_app_with_the_error(string? decision, string errorCode)
    {
        var (sandbox, browser, token) = await StartAsync("oauth_bank");
        await using var _ = sandbox;
        using var __ = browser;
        using var answer = decision is null
            ? await PostFormAsync(browser, token, "cancel")
            : await PostFormAsync(browser, token, "oauth", ("decision", decision));
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        var expectedReturn = RedirectUri + "&error=" + errorCode;
        if (decision is null)
        {
            Assert.Equal(expectedReturn, answer.Headers.Location!.ToString());
        }
        else
        {
            var page = await browser.GetStringAsync(answer.Headers.Location!.ToString().TrimStart('/'));
            Assert.Contains(errorCode, page, StringComparison.Ordinal);
            Assert.Contains("Return to the app", page, StringComparison.Ordinal);
            Assert.Contains(expectedReturn, System.Net.WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        }

        var step = await sandbox.GetJsonAsync($"sandbox/connect/{token}");
        Assert.Equal("failed", step["step"]!.GetValue<string>());
        Assert.Equal(errorCode, step["error_code"]!.GetValue<string>());
        using var late = await PostFormAsync(browser, token, "oauth", ("decision", "approve"));
        Assert.Equal(HttpStatusCode.SeeOther, late.StatusCode);
        Assert.Equal("failed", await StepAsync(sandbox, token));
    }

    [Fact]
    public async Task Unknown_session_is_a_404_page()
    {
        var (sandbox, browser, _) = await StartAsync();
        await using var __ = sandbox;
        using var ___ = browser;
        using var page = await browser.GetAsync("connect/lst_unknown");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("Connect session not found", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_form_is_a_400_page_and_changes_nothing()
    {
        var (sandbox, browser, token) = await StartAsync();
        await using var _ = sandbox;
        using var __ = browser;
        using var content = new StringContent("institution_id=credentials_bank&" + new string('x', 5_000_000), System.Text.Encoding.ASCII, "application/x-www-form-urlencoded");
        using var refused = await browser.PostAsync($"connect/{token}/institution", content);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("institution", await StepAsync(sandbox, token));
    }

    [GeneratedRegex("(src|href)=\"(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}

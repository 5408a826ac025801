using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoneyKitBridge.Browser.Tests.Hosting;

namespace MoneyKitBridge.Browser.Tests.Demo;

/// <summary>The demo backend's own API over plain HTTP, as a browser with its cookie would call it.</summary>
[Collection(BrowserTestGroup.Name)]
public sealed class DemoEndpointsTests(BrowserFixture system)
{
    /// <summary>A cookie-keeping client that opened the page as <paramref name="user"/>.</summary>
    private async Task<HttpClient> NewBrowserAsync(string user)
    {
        var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = system.DemoUrl };
        using var page = await browser.GetAsync(new Uri("/?user=" + user, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return browser;
    }

    /// <summary>Links Instant Bank for the browser's user: demo link session, headless Connect at the sandbox, the demo's return address.</summary>
    private async Task<string> LinkInstantBankAsync(HttpClient browser)
    {
        using var start = await browser.PostAsync(new Uri("/demo/link-session", UriKind.Relative), null);
        var connectUrl = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connect_url").GetString()!;
        var token = connectUrl[(connectUrl.LastIndexOf('/') + 1)..];
        await system.SandboxPostAsync($"sandbox/connect/{token}/institution", new JsonObject { ["institution_id"] = "instant_bank" });
        var step = await system.SandboxGetAsync($"sandbox/connect/{token}");
        var redirect = step.GetProperty("redirect_url").GetString()!;
        Assert.StartsWith(new Uri(system.DemoUrl, "connected?").ToString(), redirect, StringComparison.Ordinal);
        using var connected = await browser.GetAsync(new Uri(redirect));
        Assert.Equal(HttpStatusCode.Redirect, connected.StatusCode);
        var location = connected.Headers.Location!.ToString();
        Assert.StartsWith("/?linked=mk_", location, StringComparison.Ordinal);
        return location["/?linked=".Length..];
    }

    [Fact]
    public async Task The_bridge_client_secret_never_reaches_the_browser()
    {
        using var browser = await NewBrowserAsync("secret-check");
        var linkId = await LinkInstantBankAsync(browser);
        foreach (var path in new[] { "/", "/app.js", "/app.css", "/demo/links", $"/demo/links/{linkId}/accounts", $"/demo/links/{linkId}/transactions" })
        {
            using var response = await browser.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(BrowserFixture.ClientSecret, body, StringComparison.Ordinal);
            Assert.DoesNotContain(BrowserFixture.ClientSecret, response.Headers.ToString(), StringComparison.Ordinal);
        }

        using var start = await browser.PostAsync(new Uri("/demo/link-session", UriKind.Relative), null);
        var answer = await start.Content.ReadAsStringAsync();
        Assert.DoesNotContain(BrowserFixture.ClientSecret, answer, StringComparison.Ordinal);
        Assert.Equal(["connect_url"], JsonDocument.Parse(answer).RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Another_users_link_is_not_found_and_unchanged()
    {
        using var owner = await NewBrowserAsync("owner-" + Guid.NewGuid().ToString("N")[..8]);
        using var other = await NewBrowserAsync("other-" + Guid.NewGuid().ToString("N")[..8]);
        var linkId = await LinkInstantBankAsync(owner);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "accounts"), (HttpMethod.Get, "transactions"), (HttpMethod.Post, "refresh") })
        {
            using var refused = await other.SendAsync(new HttpRequestMessage(method, new Uri($"/demo/links/{linkId}/{path}", UriKind.Relative)));
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Equal("link_error.not_found", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString());
        }

        using var delete = await other.DeleteAsync(new Uri($"/demo/links/{linkId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        var otherLinks = await other.GetFromJsonAsync<JsonElement>(new Uri("/demo/links", UriKind.Relative));
        Assert.Empty(otherLinks.GetProperty("links").EnumerateObject());
        Assert.Equal("connected", (await system.BridgeGetAsync($"links/{linkId}")).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("connected?error=user_cancelled", "/?connect_error=user_cancelled")]
    [InlineData("connected", "/?connect_error=missing_token")]
    [InlineData("connected?exchangeable_token=ext_not_a_token", "/?connect_error=exchange_failed")]
    public async Task Connect_return_without_a_usable_token_goes_back_to_the_page_with_the_reason(string path, string location)
    {
        using var browser = await NewBrowserAsync("return-check");
        using var response = await browser.GetAsync(new Uri("/" + path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(location, response.Headers.Location!.ToString());
    }
}

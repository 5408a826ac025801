using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using MoneyKit.Sandbox;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Browser.Tests.Hosting;

/// <summary>
/// The whole system on loopback, once for all browser tests: the sandbox (in-process, real Kestrel), the bridge standalone
/// and the demo app (their built processes) on the run's Azurite, and one headless Chromium. Each test opens its own
/// browser context, so each test is a new demo user (the demo keys its user on a cookie) with its own links.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime, IDisposable
{
    /// <summary>When set, tests write their page screenshots (PNG) into this folder (<c>scripts/screenshots.sh</c>).</summary>
    public const string ScreenshotsVariable = "BRIDGE_SCREENSHOTS";

    private const string ClientId = "browser-demo";
    /// <summary>The bridge client secret the demo backend holds (fresh per run).</summary>
    public static readonly string ClientSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>The operator client the operator page signs in with (<c>ops:read</c> only).</summary>
    public const string OpsClientId = "browser-ops";

    /// <summary>The operator client's secret (fresh per run).</summary>
    public static readonly string OpsClientSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private SandboxServer? sandbox;
    private AppProcess? bridge;
    private AppProcess? demo;
    private IPlaywright? playwright;
    private IBrowser? browser;
    private string? bridgeToken;

    public Uri SandboxUrl => sandbox?.BaseAddress ?? throw new InvalidOperationException("Not started.");

    public Uri BridgeUrl => bridge?.BaseAddress ?? throw new InvalidOperationException("Not started.");

    public Uri DemoUrl => demo?.BaseAddress ?? throw new InvalidOperationException("Not started.");

    /// <summary>The bridge's and the demo's last output lines, for a failure message.</summary>
    public string RecentAppOutput() =>
        $"bridge:{Environment.NewLine}{bridge?.RecentOutput(40)}{Environment.NewLine}demo:{Environment.NewLine}{demo?.RecentOutput(40)}";

    public async Task InitializeAsync()
    {
        var storage = TestStorage.ConnectionString;
        sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        bridge = AppProcess.Start("MoneyKitBridge.Functions", address => new Dictionary<string, string>
        {
            ["Webhooks__PublicUrl"] = new Uri(address, "api/webhooks/moneykit").ToString(),
            ["Storage__ConnectionString"] = storage,
            ["Storage__TablePrefix"] = TestStorage.UniqueTableName("b"),
            ["MoneyKit__BaseUrl"] = sandbox.BaseAddress.ToString(),
            ["MoneyKit__ClientId"] = "sandbox_client_id",
            ["MoneyKit__ClientSecret"] = "sandbox_client_secret",
            ["Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["Auth__Clients"] = $$"""[{"client_id":"{{ClientId}}","client_secret":"{{ClientSecret}}","scopes":["links:read","links:write"]},{"client_id":"{{OpsClientId}}","client_secret":"{{OpsClientSecret}}","scopes":["ops:read"]}]""",
            // The tests read the bridge as the demo's client while the page polls: keep the per-client limiter out of the way.
            ["Auth__RateLimitBurst"] = "1000000",
            ["Auth__RateLimitPerSecond"] = "100000",
        });
        demo = AppProcess.Start("MoneyKitBridge.Demo", _ => new Dictionary<string, string>
        {
            ["Demo__BridgeUrl"] = bridge.BaseAddress.ToString(),
            ["Demo__ClientId"] = ClientId,
            ["Demo__ClientSecret"] = ClientSecret,
            ["Demo__ConnectUrl"] = new Uri(sandbox.BaseAddress, "connect/").ToString() + "{token}",
        });
        Assertions.SetDefaultExpectTimeout(30_000); // a loaded two-core machine; a passing expectation returns at once
        // Playwright drives the Chromium found by Chromium.ExecutablePath(); it must never fetch a browser of its own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        playwright = await Playwright.CreateAsync();
        var launch = playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium.ExecutablePath(), Headless = true });
        await Task.WhenAll(bridge.WaitUntilReadyAsync(http, "api/openapi/v1.json"), demo.WaitUntilReadyAsync(http, "app.css"));
        await WarmUpAsync();
        browser = await launch;
    }

    /// <summary>
    /// The demo's first page and "Link an account" once, before any test: the bridge runs from its build output (no
    /// ReadyToRun, methods compiled optimized on first use), so the first link session of a fresh process can take long
    /// on a loaded machine — that belongs to start-up, not to a test's 45 s step bound.
    /// </summary>
    private async Task WarmUpAsync()
    {
        using var warm = new HttpClient { BaseAddress = demo!.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        using (var links = await warm.GetAsync(new Uri("demo/links", UriKind.Relative)))
        {
            links.EnsureSuccessStatusCode();
        }

        using var session = await warm.PostAsync(new Uri("demo/link-session", UriKind.Relative), null);
        session.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        foreach (var app in new[] { demo, bridge })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        if (sandbox is not null)
        {
            await sandbox.DisposeAsync();
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>A new browser context (a new demo user) and page; disposing it fails the test if the page logged a console error.</summary>
    public async Task<BrowserPage> NewPageAsync()
    {
        var context = await (browser ?? throw new InvalidOperationException("Not started.")).NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1000, Height = 760 },
        });
        // Generous bounds for a loaded two-core machine (other builds may starve the browser for seconds); a passing
        // step returns as soon as it holds.
        context.SetDefaultTimeout(45_000);
        context.SetDefaultNavigationTimeout(45_000);
        return await BrowserPage.OpenAsync(context);
    }

    /// <summary>Writes a screenshot of <paramref name="page"/> as <paramref name="name"/>.png when <see cref="ScreenshotsVariable"/> is set.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable(ScreenshotsVariable) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
    }

    /// <summary>The bridge's own answer (as the demo backend's client) to <c>GET /api/{path}</c>.</summary>
    public async Task<JsonElement> BridgeGetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BridgeUrl, "api/" + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bridgeToken ??= await BridgeTokenAsync());
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /api/{path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<string> BridgeTokenAsync()
    {
        using var token = await http.PostAsync(new Uri(BridgeUrl, "api/auth/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
        }));
        token.EnsureSuccessStatusCode();
        return (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    /// <summary>A JSON answer of the sandbox's control surface (<c>/sandbox/...</c>).</summary>
    public async Task<JsonElement> SandboxGetAsync(string path)
    {
        using var response = await http.GetAsync(new Uri(SandboxUrl, path));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"sandbox GET {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>POST to the sandbox's control surface (<c>/sandbox/...</c>).</summary>
    public async Task SandboxPostAsync(string path, JsonNode body)
    {
        using var response = await http.PostAsync(new Uri(SandboxUrl, path), JsonContent.Create(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"sandbox POST {path} → {(int)response.StatusCode}: {text}");
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserTestGroup : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser: sandbox, bridge and demo on loopback";
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MoneyKit.Sandbox;
using MoneyKitBridge.Functions.Tests.Auth;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// The sandbox (as MoneyKit, real HTTP on loopback) and the real app on one <see cref="TestClock"/>, with fresh
/// tables in the run's Azurite. Shared by the <see cref="ApiTestGroup"/>; tests that need their own state create
/// their own links (unique customer users).
/// </summary>
public sealed class ApiFixture : IAsyncLifetime, IDisposable
{
    public const string WebhookUrl = "http://127.0.0.1:9/api/webhooks/moneykit";

    private readonly BridgeAppFactory factory = new(new Dictionary<string, string?>
    {
        // The per-client limiter runs on the test clock, which barely moves: keep it out of the way of many reads.
        ["Auth:RateLimitBurst"] = "1000000",
        ["Auth:RateLimitPerSecond"] = "100000",
        ["Webhooks:PublicUrl"] = WebhookUrl,
    });

    private readonly Lazy<Task<RichLink>> rich;
    private SandboxServer? sandbox;
    private HttpClient? app;
    private HttpClient? control;
    private string? sandboxToken;

    public ApiFixture() => rich = new Lazy<Task<RichLink>>(CreateRichLinkAsync);

    public TestClock Clock => factory.Clock;

    /// <summary>The app (in-memory test server).</summary>
    public HttpClient App => app ?? throw new InvalidOperationException("Not started.");

    /// <summary>Plain HTTP to the sandbox: MoneyKit's API (with <see cref="UpstreamAsync"/>) and its control surface.</summary>
    public HttpClient Sandbox => control ?? throw new InvalidOperationException("Not started.");

    public IConfiguration Configuration => factory.Services.GetRequiredService<IConfiguration>();

    public async Task InitializeAsync()
    {
        sandbox = await SandboxServer.StartAsync(new SandboxOptions(), factory.Clock);
        factory.Settings["MoneyKit:BaseUrl"] = sandbox.BaseAddress.ToString();
        control = new HttpClient { BaseAddress = sandbox.BaseAddress };
        app = factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        if (sandbox is not null)
        {
            await sandbox.DisposeAsync();
        }
    }

    public void Dispose()
    {
        app?.Dispose();
        control?.Dispose();
        factory.Dispose();
    }

    public Task<string> AdminTokenAsync() => TokenClient.GetTokenAsync(App, BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret);

    /// <summary>A token with every scope, <c>links:sensitive</c> included.</summary>
    public Task<string> SdkTokenAsync() => TokenClient.GetTokenAsync(App, BridgeAppFactory.SdkId, BridgeAppFactory.SdkSecret);

    /// <summary>A token of the operator client (<c>ops:read</c> only).</summary>
    public Task<string> OpsTokenAsync() => TokenClient.GetTokenAsync(App, BridgeAppFactory.OpsId, BridgeAppFactory.OpsSecret);

    /// <summary>A token of the operator client that may also resync links (<c>ops:read</c>, <c>ops:write</c>).</summary>
    public Task<string> OpsAdminTokenAsync() => TokenClient.GetTokenAsync(App, BridgeAppFactory.OpsAdminId, BridgeAppFactory.OpsAdminSecret);

    public Task<string> ReaderTokenAsync() => TokenClient.GetTokenAsync(App, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);

    /// <summary>Sends a request to the app with an optional bearer token, optional raw body and optional <c>MoneyKit-Version</c>.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, HttpContent? content = null, string? version = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (version is not null)
        {
            request.Headers.Add("MoneyKit-Version", version);
        }

        return await App.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string token, JsonNode body, string? version = null) =>
        SendAsync(HttpMethod.Post, path, token, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), version);

    /// <summary>A successful JSON answer of the app.</summary>
    public async Task<JsonElement> GetJsonAsync(string path, string? token = null)
    {
        using var response = await SendAsync(HttpMethod.Get, path, token ?? await ReaderTokenAsync());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>MoneyKit's (the sandbox's) own answer to <paramref name="path"/>, with the sandbox app's token, in <paramref name="version"/> when given.</summary>
    public async Task<(int Status, JsonElement Body)> UpstreamAsync(string path, string? version = null)
    {
        sandboxToken ??= await SandboxTokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sandboxToken);
        if (version is not null)
        {
            request.Headers.Add("MoneyKit-Version", version);
        }

        using var response = await Sandbox.SendAsync(request);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            sandboxToken = null; // expired on the shared clock: take a new one
            return await UpstreamAsync(path, version);
        }

        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>Sends a request to MoneyKit's API (the sandbox) with the sandbox app's token; it must succeed.</summary>
    public async Task UpstreamSendAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        sandboxToken ??= await SandboxTokenAsync();
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sandboxToken);
        using var response = await Sandbox.SendAsync(request);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            sandboxToken = null;
            await UpstreamSendAsync(method, path, body);
            return;
        }

        Assert.True(response.IsSuccessStatusCode, $"sandbox {method} {path} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Calls to MoneyKit's API that the sandbox received so far (method and path).</summary>
    public async Task<List<(string Method, string Path)>> UpstreamCallsAsync()
    {
        using var doc = JsonDocument.Parse(await Sandbox.GetStringAsync(new Uri("sandbox/requests", UriKind.Relative)));
        return doc.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("method").GetString()!, e.GetProperty("path").GetString()!))
            .ToList();
    }

    public async Task SandboxPostAsync(string path, JsonNode body)
    {
        using var response = await Sandbox.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"sandbox POST {path} → {(int)response.StatusCode}: {text}");
    }

    /// <summary>
    /// The whole app flow: <c>POST /api/link-session</c>, headless Connect at the sandbox's Instant Bank,
    /// <paramref name="beforeExchange"/> (the sandbox link exists then), <c>POST /api/link-session/exchange-token</c>.
    /// </summary>
    /// <returns>The link id and the exchange answer.</returns>
    public async Task<(string LinkId, JsonElement Exchange)> ConnectAsync(
        string userId, IReadOnlyList<string>? products = null, IReadOnlyList<string>? linkTags = null, Func<string, Task>? beforeExchange = null)
    {
        var body = new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = userId },
            ["institution_id"] = "instant_bank",
        };
        if (products is not null)
        {
            var settings = new JsonObject();
            foreach (var product in products)
            {
                settings[product] = new JsonObject { ["required"] = true };
            }

            body["settings"] = new JsonObject { ["products"] = settings };
        }

        if (linkTags is not null)
        {
            body["link_tags"] = new JsonArray(linkTags.Select(t => (JsonNode)JsonValue.Create(t)).ToArray());
        }

        return await RunSessionAsync(body, beforeExchange);
    }

    /// <summary><c>POST /api/link-session</c> with <paramref name="body"/>, headless Connect, exchange through the app.</summary>
    public async Task<(string LinkId, JsonElement Exchange)> RunSessionAsync(JsonObject body, Func<string, Task>? beforeExchange = null)
    {
        var admin = await AdminTokenAsync();
        string sessionToken;
        using (var session = await PostJsonAsync("/api/link-session", admin, body))
        {
            var text = await session.Content.ReadAsStringAsync();
            Assert.True(session.IsSuccessStatusCode, $"link-session → {(int)session.StatusCode}: {text}");
            sessionToken = JsonDocument.Parse(text).RootElement.GetProperty("link_session_token").GetString()!;
        }

        var step = JsonDocument.Parse(await Sandbox.GetStringAsync(new Uri($"sandbox/connect/{sessionToken}", UriKind.Relative))).RootElement;
        Assert.Equal("complete", step.GetProperty("step").GetString());
        var linkId = step.GetProperty("link_id").GetString()!;
        var exchangeable = step.GetProperty("exchangeable_token").GetString()!;
        if (beforeExchange is not null)
        {
            await beforeExchange(linkId);
        }

        using var exchange = await PostJsonAsync("/api/link-session/exchange-token", admin, new JsonObject { ["exchangeable_token"] = exchangeable });
        var exchangeText = await exchange.Content.ReadAsStringAsync();
        Assert.True(exchange.IsSuccessStatusCode, $"exchange-token → {(int)exchange.StatusCode}: {exchangeText}");
        return (linkId, JsonDocument.Parse(exchangeText).RootElement.Clone());
    }

    /// <summary>Seeds <paramref name="count"/> posted transactions spread over the last <paramref name="days"/> days at the sandbox.</summary>
    public Task SeedAsync(string linkId, int count, int days) =>
        SandboxPostAsync($"sandbox/links/{linkId}/transactions/seed", new JsonObject { ["count"] = count, ["days"] = days });

    /// <summary>
    /// One link, connected through the app, with <see cref="RichLink.SeededCount"/> transactions over 400 days on three
    /// accounts (seeded before the exchange, so the first sync stores them). Read-only for the tests that use it.
    /// </summary>
    public Task<RichLink> RichLinkAsync() => rich.Value;

    private async Task<RichLink> CreateRichLinkAsync()
    {
        var (linkId, _) = await ConnectAsync("contract-user", beforeExchange: id => SeedAsync(id, RichLink.SeededCount, 400));
        var (status, accounts) = await UpstreamAsync($"links/{linkId}/accounts");
        Assert.Equal(200, status);
        var accountIds = accounts.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("account_id").GetString()!).ToList();
        Assert.Equal(3, accountIds.Count);
        return new RichLink(linkId, accountIds);
    }

    private async Task<string> SandboxTokenAsync()
    {
        using var response = await Sandbox.PostAsync(new Uri("auth/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "sandbox_client_id",
            ["client_secret"] = "sandbox_client_secret",
        }));
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("access_token").GetString()!;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiTestGroup : ICollectionFixture<ApiFixture>
{
    public const string Name = "App API against the sandbox";
}

/// <summary>The shared read-only link of <see cref="ApiFixture.RichLinkAsync"/>.</summary>
public sealed record RichLink(string LinkId, IReadOnlyList<string> AccountIds)
{
    public const int SeededCount = 300;
}

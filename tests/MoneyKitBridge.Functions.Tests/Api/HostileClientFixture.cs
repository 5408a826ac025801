using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MoneyKit.Sandbox;
using MoneyKitBridge.Functions.Tests.Auth;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Functions.Tests.Logging;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// The app against the sandbox (as <see cref="ApiFixture"/>) with one connected link, every log entry of every level
/// captured in <see cref="Logs"/>, and the app's tables readable with <see cref="StorageSnapshot"/>: the ground for
/// tests that play a hostile client.
/// </summary>
public sealed class HostileClientFixture : IAsyncLifetime, IDisposable
{
    private readonly BridgeAppFactory factory;
    private SandboxServer? sandbox;
    private HttpClient? app;

    public HostileClientFixture()
    {
        factory = new BridgeAppFactory(
            new Dictionary<string, string?>
            {
                ["Auth:RateLimitBurst"] = "1000000",
                ["Auth:RateLimitPerSecond"] = "100000",
                ["Webhooks:PublicUrl"] = ApiFixture.WebhookUrl,
            },
            services =>
            {
                services.AddSingleton<ILoggerProvider>(Logs);
                services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(LogCapture).FullName, null, LogLevel.Trace, null)));
            });
    }

    public LogCapture Logs { get; } = new();

    public HttpClient App => app ?? throw new InvalidOperationException("Not started.");

    public HttpClient Sandbox { get; } = new();

    public string TablePrefix => factory.Settings["Storage:TablePrefix"]!;

    public string LinkId { get; private set; } = "";

    public string AdminToken { get; private set; } = "";

    public string ReaderToken { get; private set; } = "";

    /// <summary>A token with every link scope, sensitive products included (the SDK client's).</summary>
    public string SdkToken { get; private set; } = "";

    /// <summary>Genuine cursors (the link's change feed after its first page, the institution list after its first entry).</summary>
    public HostileCursors Cursors { get; private set; } = new("", "");

    public async Task InitializeAsync()
    {
        sandbox = await SandboxServer.StartAsync(new SandboxOptions(), factory.Clock);
        factory.Settings["MoneyKit:BaseUrl"] = sandbox.BaseAddress.ToString();
        Sandbox.BaseAddress = sandbox.BaseAddress;
        app = factory.CreateClient();
        AdminToken = await TokenClient.GetTokenAsync(App, BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret);
        ReaderToken = await TokenClient.GetTokenAsync(App, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);
        SdkToken = await TokenClient.GetTokenAsync(App, BridgeAppFactory.SdkId, BridgeAppFactory.SdkSecret);
        LinkId = await ConnectAsync("hostile-client-user");

        // The first institution read fills the shared institution store; done here so that the run itself, on a clock
        // that does not move, never writes it.
        var feed = await GetAsync($"/api/links/{LinkId}/transactions/sync?size=5");
        var institutions = await GetAsync("/api/institutions?limit=1");
        Cursors = new HostileCursors(feed.GetProperty("cursor").GetProperty("next").GetString()!, institutions.GetProperty("cursors").GetProperty("next").GetString()!);
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new("Bearer", ReaderToken);
        using var response = await App.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
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
        Sandbox.Dispose();
        factory.Dispose();
    }

    /// <summary>Link session, headless Connect at Instant Bank with seeded transactions, exchange: a stored, synced link.</summary>
    private async Task<string> ConnectAsync(string userId)
    {
        using var session = await Post("/api/link-session", new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = userId },
            ["institution_id"] = "instant_bank",
        });
        var sessionToken = JsonDocument.Parse(await session.Content.ReadAsStringAsync()).RootElement.GetProperty("link_session_token").GetString()!;
        var step = JsonDocument.Parse(await Sandbox.GetStringAsync(new Uri($"sandbox/connect/{sessionToken}", UriKind.Relative))).RootElement;
        var linkId = step.GetProperty("link_id").GetString()!;
        using (var seed = await Sandbox.PostAsJsonAsync(new Uri($"sandbox/links/{linkId}/transactions/seed", UriKind.Relative), new JsonObject { ["count"] = 40, ["days"] = 60 }))
        {
            seed.EnsureSuccessStatusCode();
        }

        using var exchange = await Post("/api/link-session/exchange-token", new JsonObject { ["exchangeable_token"] = step.GetProperty("exchangeable_token").GetString() });
        Assert.True(exchange.IsSuccessStatusCode, await exchange.Content.ReadAsStringAsync());
        return linkId;
    }

    private async Task<HttpResponseMessage> Post(string path, JsonNode body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", AdminToken);
        var response = await App.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{path} → {(int)response.StatusCode}");
        return response;
    }
}

[CollectionDefinition(Name)]
public sealed class HostileClientGroup : ICollectionFixture<HostileClientFixture>
{
    public const string Name = "App against a hostile client";
}

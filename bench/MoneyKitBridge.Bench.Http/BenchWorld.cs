using System.Diagnostics;
using Azure;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoneyKit.Sandbox;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.MoneyKit;
using Azure.Data.Tables;

namespace MoneyKitBridge.Bench.Http;

/// <summary>
/// Everything the HTTP benchmarks run against: fresh tables (unique prefix) in the given storage, a link with
/// 10,000 synced transactions (sandbox as MoneyKit, Core's lifecycle and sync engine), links for webhooks, a
/// loopback JWKS endpoint standing in for MoneyKit's, and the bridge itself as a separate process.
/// </summary>
internal sealed class BenchWorld : IAsyncDisposable
{
    public const string ClientId = "bench-client";
    public const string ClientSecret = "bench-client-secret-0123456789";
    public const string Issuer = "https://api.moneykit.com";

    private readonly BenchSettings settings;
    private readonly SandboxServer sandbox;
    private readonly WebApplication jwks;
    private readonly string signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private BenchWorld(BenchSettings settings, SandboxServer sandbox, WebApplication jwks, Uri jwksBase, BridgeTables tables, string prefix, WebhookSigner signer)
    {
        this.settings = settings;
        this.sandbox = sandbox;
        this.jwks = jwks;
        JwksBase = jwksBase;
        Tables = tables;
        Prefix = prefix;
        Signer = signer;
    }

    public BridgeTables Tables { get; }

    public TableServiceClient Service => new(settings.StorageConnectionString, BridgeTables.CreateOptions());

    public string Prefix { get; }

    public Uri JwksBase { get; }

    public WebhookSigner Signer { get; }

    /// <summary>The link with <see cref="BenchSettings.Transactions"/> synced transactions.</summary>
    public string LinkId { get; private set; } = "";

    /// <summary>Registered links that receive the webhook load (state changes spread over them).</summary>
    public IReadOnlyList<string> WebhookLinkIds { get; private set; } = [];

    public static async Task<BenchWorld> CreateAsync(BenchSettings settings)
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        var prefix = "bh" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var tables = BridgeTables.Connect(settings.StorageConnectionString, prefix);
        await tables.EnsureCreatedAsync();
        var signer = new WebhookSigner("bench-key-1", Issuer);
        var (jwks, jwksBase) = await StartJwksAsync(signer.JwksJson);
        var world = new BenchWorld(settings, sandbox, jwks, jwksBase, tables, prefix, signer);
        await world.SeedAsync();
        return world;
    }

    /// <summary>
    /// Starts the built bridge (Release) as its own process against the benchmark's tables; it is ready once it serves
    /// its OpenAPI document (an anonymous route of the table; the bridge has no <c>GET /</c>).
    /// </summary>
    public Task<ServerProcess> StartBridgeAsync() =>
        ServerProcess.StartAsync(settings.BridgeDll, [], ServerEnvironment(bridge: true), "/api/openapi/v1.json", TimeSpan.FromSeconds(60));

    /// <summary>Starts the pre-serialized baseline (this program, <c>serve-baseline</c>) configured like the bridge.</summary>
    public Task<ServerProcess> StartBaselineAsync(string bodyFile) =>
        ServerProcess.StartAsync(typeof(BenchWorld).Assembly.Location, [BaselineServer.Command, "--body", bodyFile], ServerEnvironment(bridge: false), "/", TimeSpan.FromSeconds(60));

    /// <summary>A bearer token from the bridge's own <c>POST /api/auth/token</c>.</summary>
    public static async Task<string> GetTokenAsync(HttpClient http)
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
        });
        using var response = await http.PostAsync(new Uri("api/auth/token", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/auth/token answered {(int)response.StatusCode}: {text}");
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>An HttpClient for load: SocketsHttpHandler with as many connections as workers.</summary>
    public static HttpClient LoadClient(Uri baseAddress, int connections, string? bearer) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestHeaders = { Authorization = bearer is null ? null : new AuthenticationHeaderValue("Bearer", bearer) },
        };

    public async ValueTask DisposeAsync()
    {
        await jwks.StopAsync();
        await jwks.DisposeAsync();
        await sandbox.DisposeAsync();
        Signer.Dispose();
        try
        {
            await Tables.DeleteAllAsync();
            await Service.GetTableClient(Prefix + "baselinekeys").DeleteAsync();
        }
        catch (RequestFailedException)
        {
            // Azurite is thrown away by the script anyway.
        }
    }

    private Dictionary<string, string> ServerEnvironment(bool bridge)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // The bridge has no appsettings.json: without this ASP.NET Core logs two lines per request at Information.
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
        };
        if (bridge)
        {
            environment["Storage__ConnectionString"] = settings.StorageConnectionString;
            environment["Storage__TablePrefix"] = Prefix;
            environment["MoneyKit__BaseUrl"] = JwksBase.ToString();
            environment["MoneyKit__ClientId"] = "bench_moneykit_client";
            environment["MoneyKit__ClientSecret"] = "bench_moneykit_secret";
            environment["Auth__SigningKey"] = signingKey;
            environment["Auth__Clients"] = $$"""[{"client_id":"{{ClientId}}","client_secret":"{{ClientSecret}}","scopes":["links:read","links:write"]}]""";
            environment["Auth__RateLimitPerSecond"] = "100000";
            environment["Auth__RateLimitBurst"] = "1000000";
            environment["Webhooks__Issuer"] = Issuer;
            environment["Webhooks__PublicUrl"] = "https://bridge.example.test/api/webhooks/moneykit";
        }

        return environment;
    }

    private async Task SeedAsync()
    {
        using var control = new HttpClient { BaseAddress = sandbox.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var moneyKit = new MoneyKitClient(
            http,
            (_, _) => ValueTask.FromResult(new MoneyKitCredentials("sandbox_client_id", "sandbox_client_secret")),
            new MoneyKitOptions { BaseUrl = sandbox.BaseAddress },
            TimeProvider.System,
            NullLogger<MoneyKitClient>.Instance);
        var states = new LinkStateStore(Tables, TimeProvider.System, Options.Create(new LinkStateOptions { MaxAge = TimeSpan.Zero }));
        var lifecycle = new LinkLifecycle(Tables, states, moneyKit, TimeProvider.System, NullLogger<LinkLifecycle>.Instance);
        var engine = new LinkSyncEngine(Tables, states, moneyKit, Options.Create(new SyncOptions { MaxParallelBatches = 16 }), TimeProvider.System, NullLogger<LinkSyncEngine>.Instance);

        var started = Stopwatch.GetTimestamp();
        LinkId = await CreateLinkAsync(control, lifecycle, "bench-user");
        using (var seed = await control.PostAsJsonAsync($"sandbox/links/{LinkId}/transactions/seed", new JsonObject { ["count"] = settings.Transactions, ["days"] = 365 }))
        {
            seed.EnsureSuccessStatusCode();
        }

        var outcome = await engine.SyncAsync(LinkId, SyncTrigger.LinkCreated);
        var stored = 0;
        await foreach (var _ in Tables.Links.QueryAsync<TableEntity>(LinkRows.KindFilter(LinkRows.Partition(LinkId), LinkRows.TransactionPrefix), select: ["PartitionKey"]))
        {
            stored++;
        }

        if (stored < settings.Transactions)
        {
            throw new InvalidOperationException($"The sync stored {stored} transactions, expected at least {settings.Transactions} ({outcome}).");
        }

        var webhookLinks = new List<string>();
        for (var i = 0; i < settings.WebhookLinks; i++)
        {
            webhookLinks.Add(await CreateLinkAsync(control, lifecycle, $"bench-webhook-user-{i}"));
        }

        WebhookLinkIds = webhookLinks;
        Report.Line($"setup: link {LinkId} with {stored} stored transactions and {webhookLinks.Count} webhook links in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s (tables prefix {Prefix})");
    }

    private static async Task<string> CreateLinkAsync(HttpClient control, LinkLifecycle lifecycle, string userId)
    {
        using var response = await control.PostAsJsonAsync("sandbox/links", new JsonObject { ["customer_user_id"] = userId });
        response.EnsureSuccessStatusCode();
        var link = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), MoneyKitJsonContext.Default.MoneyKitLink)!;
        await lifecycle.RegisterAsync(link, userId);
        return link.LinkId;
    }

    private static async Task<(WebApplication App, Uri BaseAddress)> StartJwksAsync(byte[] jwksJson)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapGet("/.well-known/jwks.json", (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.Body.WriteAsync(jwksJson, context.RequestAborted).AsTask();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.TrimEnd('/') + "/"));
    }
}

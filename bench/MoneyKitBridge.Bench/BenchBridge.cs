using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoneyKit.Sandbox;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.MoneyKit;
using Azure.Data.Tables;

namespace MoneyKitBridge.Bench;

/// <summary>
/// The real parts wired as in production, on system time: the sandbox over HTTP (as MoneyKit), fresh tables in
/// Azurite seen through a <see cref="TableTraffic"/> counter, the MoneyKit client, the sync engine, the snapshot
/// reader and the lifecycle.
/// </summary>
public sealed class BenchBridge : IAsyncDisposable
{
    private readonly HttpClient moneyKitHttp;

    private BenchBridge(string connectionString, SandboxServer sandbox, SyncOptions syncOptions)
    {
        Sandbox = sandbox;
        Control = new HttpClient { BaseAddress = sandbox.BaseAddress };
        var tableOptions = BridgeTables.CreateOptions();
        tableOptions.AddPolicy(Traffic, HttpPipelinePosition.PerCall);
        Service = new TableServiceClient(connectionString, tableOptions);
        Tables = new BridgeTables(Service, UniqueName("b"));
        moneyKitHttp = new HttpClient();
        MoneyKit = new MoneyKitClient(
            moneyKitHttp,
            (_, _) => ValueTask.FromResult(new MoneyKitCredentials("sandbox_client_id", "sandbox_client_secret")),
            new MoneyKitOptions { BaseUrl = sandbox.BaseAddress },
            TimeProvider.System,
            NullLogger<MoneyKitClient>.Instance);
        States = NewStateStore();
        Engine = new LinkSyncEngine(Tables, States, MoneyKit, Options.Create(syncOptions), TimeProvider.System, NullLogger<LinkSyncEngine>.Instance);
        Reader = new LinkSnapshotReader(Tables, States);
        Lifecycle = new LinkLifecycle(Tables, States, MoneyKit, TimeProvider.System, NullLogger<LinkLifecycle>.Instance);
    }

    public SandboxServer Sandbox { get; }

    /// <summary>Plain HTTP to the sandbox's control surface.</summary>
    public HttpClient Control { get; }

    /// <summary>Counts every request of <see cref="Service"/>'s clients.</summary>
    public TableTraffic Traffic { get; } = new();

    public TableServiceClient Service { get; }

    public BridgeTables Tables { get; }

    public MoneyKitClient MoneyKit { get; }

    public LinkStateStore States { get; }

    public LinkSyncEngine Engine { get; }

    public LinkSnapshotReader Reader { get; }

    public LinkLifecycle Lifecycle { get; }

    /// <summary>A fresh sandbox and fresh bridge tables (sync page size <paramref name="pageSize"/>).</summary>
    public static async Task<BenchBridge> StartAsync(string connectionString, int pageSize)
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        var bridge = new BenchBridge(connectionString, sandbox, new SyncOptions { PageSize = pageSize });
        await bridge.Tables.EnsureCreatedAsync();
        return bridge;
    }

    /// <summary>A valid table name unique to this run.</summary>
    /// <summary>A store with no reuse window, like a freshly started process reading every row (one per reader made).</summary>
    public LinkStateStore NewStateStore() => new(Tables, TimeProvider.System, Options.Create(new LinkStateOptions { MaxAge = TimeSpan.Zero }));

    public static string UniqueName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..16];

    /// <summary>Creates a connected sandbox link holding exactly <paramref name="transactions"/> transactions and registers it with the bridge.</summary>
    public async Task<string> CreateLinkAsync(int transactions)
    {
        using var created = await Control.PostAsJsonAsync("sandbox/links", new JsonObject { ["customer_user_id"] = "bench-user" });
        created.EnsureSuccessStatusCode();
        var link = JsonSerializer.Deserialize(await created.Content.ReadAsStringAsync(), MoneyKitJsonContext.Default.MoneyKitLink)!;
        await Lifecycle.RegisterAsync(link, "bench-user");

        // A new sandbox link starts with a couple of transactions; seed up to the exact total.
        var total = await SeedAsync(link.LinkId, 1);
        if (total < transactions)
        {
            total = await SeedAsync(link.LinkId, transactions - total);
        }

        if (total != transactions)
        {
            throw new InvalidOperationException($"The sandbox link holds {total} transactions, not {transactions}.");
        }

        return link.LinkId;
    }

    /// <summary>Changes a transaction upstream (amount and description) through the sandbox control surface.</summary>
    public async Task PatchTransactionAsync(string linkId, string transactionId, decimal amount, string description)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"sandbox/links/{linkId}/transactions/{transactionId}")
        {
            Content = JsonContent.Create(new JsonObject { ["amount"] = amount, ["description"] = description }),
        };
        using var response = await Control.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private async Task<int> SeedAsync(string linkId, int count)
    {
        using var response = await Control.PostAsJsonAsync($"sandbox/links/{linkId}/transactions/seed", new JsonObject { ["count"] = count, ["days"] = 730 });
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("total").GetInt32();
    }

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        moneyKitHttp.Dispose();
        await Sandbox.DisposeAsync();
        await Tables.DeleteAllAsync();
    }
}

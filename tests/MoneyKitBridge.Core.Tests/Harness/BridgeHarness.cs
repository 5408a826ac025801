using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoneyKit.Sandbox;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.MoneyKit;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Harness;

/// <summary>
/// The real parts wired together for a test: the sandbox emulator over HTTP (as MoneyKit), fresh tables in the
/// run's Azurite, the MoneyKit client, the sync engine, the snapshot reader, the lifecycle and the refresh job —
/// all on one <see cref="TestClock"/>.
/// </summary>
public sealed class BridgeHarness : IAsyncDisposable
{
    /// <summary>
    /// Far above any retry back-off, so that <see cref="WithClockRunningAsync{T}"/> can tell the back-off a call waits
    /// on from the timeout of a request in flight (which only a hung sandbox would reach).
    /// </summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(10);

    private readonly ConcurrencyProbe probe;

    private BridgeHarness(TestClock clock, SandboxServer sandbox, BridgeTables tables, ConcurrencyProbe probe, SyncOptions syncOptions, RefreshOptions refreshOptions)
    {
        Clock = clock;
        Sandbox = sandbox;
        Tables = tables;
        this.probe = probe;
        Control = new HttpClient { BaseAddress = sandbox.BaseAddress };
        var http = new HttpClient(probe);
        MoneyKit = new MoneyKitClient(
            http,
            (_, _) => ValueTask.FromResult(new MoneyKitCredentials("sandbox_client_id", "sandbox_client_secret")),
            new MoneyKitOptions { BaseUrl = sandbox.BaseAddress, MaxRetries = 4, RequestTimeout = RequestTimeout },
            clock,
            NullLogger<MoneyKitClient>.Instance);
        // No reuse window: every read in these tests sees the row as stored, as every instance's write would be.
        States = new LinkStateStore(tables, clock, Options.Create(new LinkStateOptions { MaxAge = TimeSpan.Zero }));
        Engine = new LinkSyncEngine(tables, States, MoneyKit, Options.Create(syncOptions), clock, NullLogger<LinkSyncEngine>.Instance);
        Reader = new LinkSnapshotReader(tables, States);
        Lifecycle = new LinkLifecycle(tables, States, MoneyKit, clock, NullLogger<LinkLifecycle>.Instance);
        RefreshOptions = refreshOptions;
        Refresh = NewRefreshJob();
    }

    public TestClock Clock { get; }

    public SandboxServer Sandbox { get; }

    /// <summary>Plain HTTP to the sandbox (control surface and MoneyKit API with a token).</summary>
    public HttpClient Control { get; }

    public BridgeTables Tables { get; }

    public MoneyKitClient MoneyKit { get; }

    public LinkStateStore States { get; }

    public LinkSyncEngine Engine { get; }

    public LinkSnapshotReader Reader { get; }

    public LinkLifecycle Lifecycle { get; }

    public RefreshOptions RefreshOptions { get; }

    public RefreshStaleLinksJob Refresh { get; }

    /// <summary>Most <c>transactions/sync</c> calls that were in flight at once.</summary>
    public int MaxConcurrentSyncCalls => probe.MaxConcurrent;

    public static async Task<BridgeHarness> StartAsync(
        SandboxPendingMode pendingMode = SandboxPendingMode.ResolveAsUpdate,
        Action<SyncOptions>? sync = null,
        Action<RefreshOptions>? refresh = null)
    {
        var clock = new TestClock(new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero));
        var sandboxOptions = new SandboxOptions { PendingMode = pendingMode };
        var sandbox = await SandboxServer.StartAsync(sandboxOptions, clock);
        var tables = BridgeTables.Connect(TestStorage.ConnectionString, TestStorage.UniqueTableName("b"));
        await tables.EnsureCreatedAsync();
        var syncOptions = new SyncOptions { PageSize = 100 };
        sync?.Invoke(syncOptions);
        var refreshOptions = new RefreshOptions { MaxJitter = TimeSpan.Zero };
        refresh?.Invoke(refreshOptions);
        return new BridgeHarness(clock, sandbox, tables, new ConcurrencyProbe(), syncOptions, refreshOptions);
    }

    public RefreshStaleLinksJob NewRefreshJob() =>
        new(Tables, States, MoneyKit, Engine, Options.Create(RefreshOptions), Clock, NullLogger<RefreshStaleLinksJob>.Instance);

    /// <summary>Creates a connected sandbox link (skipping Connect) and registers it with the bridge.</summary>
    public async Task<string> CreateLinkAsync(string userId = "user-1", string? institutionId = null, string? username = null, IReadOnlyList<string>? products = null)
    {
        var body = new JsonObject { ["customer_user_id"] = userId };
        if (institutionId is not null)
        {
            body["institution_id"] = institutionId;
        }

        if (username is not null)
        {
            body["username"] = username;
        }

        if (products is not null)
        {
            body["products"] = new JsonArray(products.Select(p => (JsonNode)p).ToArray());
        }

        using var response = await Control.PostAsJsonAsync("sandbox/links", body);
        response.EnsureSuccessStatusCode();
        var link = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), MoneyKitJsonContext.Default.MoneyKitLink)!;
        await Lifecycle.RegisterAsync(link, userId);
        return link.LinkId;
    }

    public async Task SeedAsync(string linkId, int count, int days = 365)
    {
        using var response = await Control.PostAsJsonAsync($"sandbox/links/{linkId}/transactions/seed", new JsonObject { ["count"] = count, ["days"] = days });
        response.EnsureSuccessStatusCode();
    }

    public async Task SandboxAsync(HttpMethod method, string path, JsonObject? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await Control.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Every transaction MoneyKit (the sandbox) lists for the link over its whole history.</summary>
    public async Task<List<JsonElement>> UpstreamTransactionsAsync(string linkId)
    {
        var token = await TokenAsync();
        var all = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"links/{linkId}/transactions?start_date=1900-01-01&end_date=2100-01-01&size=100&page={page}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await Control.SendAsync(request);
            response.EnsureSuccessStatusCode();
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var items = doc.RootElement.GetProperty("transactions").EnumerateArray().Select(e => e.Clone()).ToList();
            all.AddRange(items);
            if (items.Count < 100)
            {
                return all;
            }
        }
    }

    public async Task<JsonElement> UpstreamLinkAsync(string linkId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"links/{linkId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync());
        using var response = await Control.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<string> TokenAsync()
    {
        using var response = await Control.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "sandbox_client_id",
            ["client_secret"] = "sandbox_client_secret",
        }));
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>MoneyKit API calls the sandbox received whose path contains <paramref name="fragment"/>.</summary>
    public async Task<List<(string Method, string Path)>> SandboxRequestsAsync(string fragment)
    {
        using var doc = JsonDocument.Parse(await Control.GetStringAsync("sandbox/requests"));
        return doc.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("method").GetString()!, e.GetProperty("path").GetString()!))
            .Where(r => r.Item2.Contains(fragment, StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>
    /// Runs <paramref name="action"/>, moving the clock to each retry back-off the code under test waits on as soon as
    /// it is scheduled. Only back-offs are fired: a request's own timeout timer (<see cref="RequestTimeout"/>) is left
    /// alone, so a request that is slow on a loaded machine is not timed out by the test moving the clock under it.
    /// </summary>
    public async Task<T> WithClockRunningAsync<T>(Func<Task<T>> action)
    {
        var task = action();
        var backoffLimit = new MoneyKitOptions().MaxRetryDelay;
        await Eventually.TrueAsync(
            () =>
            {
                if (!task.IsCompleted && Clock.NextTimerDueIn is { } due && due <= backoffLimit)
                {
                    Clock.Advance(due);
                }

                return task.IsCompleted;
            },
            "the call to complete while its retry back-offs were fired",
            TimeSpan.FromMinutes(2));
        return await task;
    }

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        await Sandbox.DisposeAsync();
        await Tables.DeleteAllAsync();
    }

    /// <summary>Observes (does not change) the HTTP traffic to MoneyKit: how many sync calls overlap.</summary>
    private sealed class ConcurrencyProbe : DelegatingHandler
    {
        private int current;
        private int max;

        public ConcurrencyProbe()
            : base(new SocketsHttpHandler())
        {
        }

        public int MaxConcurrent => Volatile.Read(ref max);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var isSync = request.RequestUri!.AbsolutePath.EndsWith("/transactions/sync", StringComparison.Ordinal);
            if (isSync)
            {
                var now = Interlocked.Increment(ref current);
                int seen;
                while (now > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, now, seen) != seen)
                {
                }
            }

            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                if (isSync)
                {
                    Interlocked.Decrement(ref current);
                }
            }
        }
    }
}

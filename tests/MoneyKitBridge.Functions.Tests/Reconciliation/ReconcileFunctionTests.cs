using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MoneyKit.Sandbox;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.Reconciliation;
using MoneyKitBridge.Functions.Tests.Auth;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Functions.Tests.Logging;

namespace MoneyKitBridge.Functions.Tests.Reconciliation;

/// <summary>
/// The worker's <c>Reconcile</c> <c>[TimerTrigger]</c> function invoked directly, as the host fires it (real services,
/// real Azurite, the sandbox as MoneyKit over HTTP): a link MoneyKit has that the bridge never stored is served
/// afterwards, for its customer user; a link MoneyKit deleted (its webhook lost) answers 410 <c>link_error.deleted</c>.
/// </summary>
public sealed class ReconcileFunctionTests : IAsyncLifetime, IDisposable
{
    private readonly LogCapture logs = new();
    private readonly BridgeAppFactory factory;
    private SandboxServer? sandbox;
    private HttpClient? app;
    private HttpClient? control;

    public ReconcileFunctionTests()
    {
        factory = new BridgeAppFactory(configureServices: services => services.AddSingleton<ILoggerProvider>(logs));
    }

    private HttpClient App => app!;

    private HttpClient Control => control!;

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
        logs.Dispose();
    }

    [Fact]
    public async Task The_timer_adopts_unknown_links_and_later_tombstones_one_MoneyKit_deleted()
    {
        var kept = await CreateUpstreamLinkAsync("user-7");
        var deleted = await CreateUpstreamLinkAsync("user-8");

        await RunAsync(isPastDue: false);

        Assert.Contains(JobLines(), l => l.StartsWith("status=ran cycle=1 pages=2 listed=2 verified=2 adopted=2 reported=0 tombstoned=0 corrected=0 failed=0 cycle_completed=True", StringComparison.Ordinal));
        var token = await TokenClient.GetTokenAsync(App, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);
        Assert.Equal(kept, (await GetJsonAsync($"/api/links/{kept}", token)).GetProperty("link_id").GetString());
        var userLinks = await GetJsonAsync("/api/users/user-7/links", token);
        Assert.Equal([kept], userLinks.GetProperty("links").EnumerateObject().Select(l => l.Name)); // GetUserLinksResponse: {link_id: link}

        using (var gone = await Control.PostAsJsonAsync($"sandbox/links/{deleted}/state", new { state = "deleted" }))
        {
            gone.EnsureSuccessStatusCode(); // no webhook reaches the bridge
        }

        await RunAsync(isPastDue: false);
        Assert.Contains(JobLines(), l => l.StartsWith("status=notdue cycle=1", StringComparison.Ordinal)); // the day's cycle is done

        factory.Clock.Advance(TimeSpan.FromDays(1));
        await RunAsync(isPastDue: true);

        var lines = JobLines();
        Assert.Equal("started (past due)", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("status=ran cycle=2 pages=2 listed=1 verified=2 adopted=0 reported=0 tombstoned=1 corrected=0", StringComparison.Ordinal));
        Assert.StartsWith("completed in ", lines[^1], StringComparison.Ordinal);
        token = await TokenClient.GetTokenAsync(App, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);
        Assert.Equal("deleted", (await GetJsonAsync($"/api/links/{deleted}", token)).GetProperty("state").GetString()); // as MoneyKit answers a tombstone
        foreach (var data in new[] { "transactions", "accounts" })
        {
            using var response = await Send(HttpMethod.Get, $"/api/links/{deleted}/{data}", token);
            Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
            Assert.Equal("link_error.deleted", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error_code").GetString());
        }

        Assert.Equal(kept, (await GetJsonAsync($"/api/links/{kept}", token)).GetProperty("link_id").GetString());
    }

    private async Task<string> CreateUpstreamLinkAsync(string userId)
    {
        using var response = await Control.PostAsJsonAsync("sandbox/links", new JsonObject
        {
            ["customer_user_id"] = userId,
            ["link_tags"] = new JsonArray(LinkOwnerTag.Prefix + userId),
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("link_id").GetString()!;
    }

    private async Task RunAsync(bool isPastDue)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var function = ActivatorUtilities.CreateInstance<ReconcileFunction>(scope.ServiceProvider);
        logs.Clear();

        await function.RunAsync(new TimerInfo { IsPastDue = isPastDue }, CancellationToken.None);
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await App.SendAsync(request);
    }

    private async Task<JsonElement> GetJsonAsync(string path, string token)
    {
        using var response = await Send(HttpMethod.Get, path, token);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    // The runner's lines ("Reconcile: <message>"), in order.
    private List<string> JobLines()
    {
        var prefix = BridgeRoutes.Reconcile + ": ";
        return
        [
            .. logs.Entries
                .Select(entry => entry.Split(" | ")[0])
                .Select(message => message.IndexOf(prefix, StringComparison.Ordinal) is var at and >= 0 ? message[(at + prefix.Length)..] : null)
                .OfType<string>(),
        ];
    }
}

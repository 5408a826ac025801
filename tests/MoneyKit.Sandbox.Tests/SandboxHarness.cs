using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoneyKitBridge.Testing;

namespace MoneyKit.Sandbox.Tests;

/// <summary>A sandbox on a loopback port, driven by a <see cref="TestClock"/>, with an HTTP client and small JSON shortcuts.</summary>
internal sealed class SandboxHarness : IAsyncDisposable
{
    private SandboxHarness(SandboxServer server, TestClock clock, SandboxOptions options)
    {
        Server = server;
        Clock = clock;
        Options = options;
        Http = new HttpClient { BaseAddress = server.BaseAddress };
    }

    public SandboxServer Server { get; }

    public TestClock Clock { get; }

    public SandboxOptions Options { get; }

    public HttpClient Http { get; }

    public static async Task<SandboxHarness> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions();
        configure?.Invoke(options);
        var clock = new TestClock();
        var server = await SandboxServer.StartAsync(options, clock);
        return new SandboxHarness(server, clock, options);
    }

    public async Task<string> GetTokenAsync(string clientId = "sandbox_client_id", string clientSecret = "sandbox_client_secret")
    {
        using var response = await Http.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        }));
        response.EnsureSuccessStatusCode();
        return (await ReadJsonAsync(response))["access_token"]!.GetValue<string>();
    }

    /// <summary>Makes the client send a fresh bearer token on every later call.</summary>
    public async Task AuthenticateAsync() =>
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await GetTokenAsync());

    public async Task<JsonObject> CreateLinkAsync(object body)
    {
        using var response = await Http.PostAsJsonAsync("sandbox/links", body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return await ReadJsonAsync(response);
    }

    public async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await ReadJsonAsync(response);
    }

    public async Task<JsonArray> GetJsonArrayAsync(string path) =>
        JsonNode.Parse(await Http.GetStringAsync(path))!.AsArray();

    /// <summary>Follows cursor.next until has_more is false; returns every page.</summary>
    public async Task<List<JsonObject>> SyncAllAsync(string linkId, string? cursor, int size = 500)
    {
        var pages = new List<JsonObject>();
        while (true)
        {
            var page = await GetJsonAsync($"links/{linkId}/transactions/sync?size={size}" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)));
            pages.Add(page);
            cursor = page["cursor"]!["next"]!.GetValue<string>();
            if (!page["has_more"]!.GetValue<bool>())
            {
                return pages;
            }
        }
    }

    public async Task<HttpResponseMessage> RefreshAsync(string linkId, params string[] products) =>
        await Http.PostAsJsonAsync($"links/{linkId}/products", new { products });

    public static async Task<JsonObject> ReadJsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    public static async Task AssertErrorAsync(HttpResponseMessage response, int status, string errorCode)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal(errorCode, json.RootElement.GetProperty("error_code").GetString());
        Assert.True(json.RootElement.TryGetProperty("error_message", out _));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("documentation_url").ValueKind);
    }

    /// <summary>
    /// Waits until the sandbox has scheduled a timer on the clock (a retry is armed only after the failed attempt's
    /// answer was read, which is after the receiver saw that attempt), so that advancing the clock fires it.
    /// </summary>
    public Task WaitForTimersAsync(int atLeast = 1) =>
        Eventually.ValueAsync(
            () => Task.FromResult(Clock.PendingTimers),
            pending => pending >= atLeast,
            $"the sandbox to schedule {atLeast} timer(s) on the test clock",
            describe: pending => $"{pending} pending");

    /// <summary>
    /// The webhook delivery log once it holds <paramref name="count"/> attempts. The sandbox records an attempt
    /// after reading the receiver's answer, so a receiver that has seen an attempt does not mean the log has it yet.
    /// </summary>
    public Task<JsonArray> WaitForDeliveriesAsync(int count) =>
        Eventually.ValueAsync(
            () => GetJsonArrayAsync("sandbox/webhooks/deliveries"),
            log => log.Count >= count,
            $"the sandbox to record {count} webhook delivery attempt(s)",
            describe: log => log.ToJsonString());

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Institutions;
using MoneyKitBridge.Core.Tests.Harness;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Tests.Institutions;

/// <summary>
/// The shared institution copy on the test clock, against the sandbox over HTTP and real tables: reads never call
/// MoneyKit within the TTL (on any instance), a stale copy is served while one instance revalidates, and a MoneyKit
/// outage keeps the stale copy in service, is logged, and is retried only after <see cref="InstitutionCacheOptions.RetryAfter"/>.
/// </summary>
public sealed class InstitutionCatalogTests : IAsyncLifetime
{
    private static readonly InstitutionCacheOptions Options = new() { Ttl = TimeSpan.FromHours(1), RetryAfter = TimeSpan.FromMinutes(5), LocalMaxAge = TimeSpan.Zero };
    private BridgeHarness harness = null!;

    public async Task InitializeAsync() => harness = await BridgeHarness.StartAsync();

    public async Task DisposeAsync() => await harness.DisposeAsync();

    [Fact]
    public async Task Reads_within_the_ttl_never_call_MoneyKit_on_any_instance()
    {
        using var first = Catalog();
        using var second = Catalog();

        var list = await first.GetAsync();
        Assert.Equal(["credentials_bank", "instant_bank", "oauth_bank"], list.Institutions.Select(i => i.InstitutionId));
        for (var i = 0; i < 5; i++)
        {
            harness.Clock.Advance(TimeSpan.FromMinutes(10));
            Assert.Equal(list.Generation, (await first.GetAsync()).Generation);
            Assert.Equal(list.Generation, (await second.GetAsync()).Generation); // the other instance reads the shared copy
        }

        Assert.Single(await InstitutionCallsAsync());
        Assert.Contains("\"country\"", list.Find("oauth_bank")!.Json, StringComparison.Ordinal); // MoneyKit's object as fetched
        Assert.Null(list.Find("no_such_bank"));
    }

    [Fact]
    public async Task A_stale_copy_is_served_while_one_instance_revalidates()
    {
        using var first = Catalog();
        using var second = Catalog();
        var original = await first.GetAsync();

        harness.Clock.Advance(Options.Ttl + TimeSpan.FromSeconds(1));
        var served = await first.GetAsync();
        var servedByOther = await second.GetAsync(); // the first instance holds the claim: this one only serves
        Assert.Equal(original.Generation, served.Generation);
        Assert.Equal(original.Generation, servedByOther.Generation);
        await first.WhenIdleAsync();
        await second.WhenIdleAsync();

        var fresh = await second.GetAsync();
        Assert.NotEqual(original.Generation, fresh.Generation);
        Assert.Equal(harness.Clock.GetUtcNow(), fresh.FetchedAt);
        Assert.Equal(2, (await InstitutionCallsAsync()).Count); // the first fill and one revalidation, not one per instance
    }

    [Fact]
    public async Task During_a_MoneyKit_outage_the_stale_copy_is_served_logged_and_retried_later()
    {
        var log = new RecordingLogger();
        using var catalog = Catalog(log);
        var original = await catalog.GetAsync();

        await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["path_prefix"] = "/institutions", ["status"] = 503, ["count"] = 1000 });
        harness.Clock.Advance(Options.Ttl + TimeSpan.FromSeconds(1));
        Assert.Equal(original.Generation, (await catalog.GetAsync()).Generation);
        await catalog.WhenIdleAsync();
        Assert.Contains(log.Lines, l => l.Contains("could not be revalidated", StringComparison.Ordinal) && l.Contains("503", StringComparison.Ordinal));
        var callsAfterFailure = (await InstitutionCallsAsync()).Count;

        // Within RetryAfter: the stale copy, and no new call to MoneyKit however many reads.
        for (var i = 0; i < 4; i++)
        {
            harness.Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(original.Generation, (await catalog.GetAsync()).Generation);
            await catalog.WhenIdleAsync();
        }

        Assert.Equal(callsAfterFailure, (await InstitutionCallsAsync()).Count);

        // MoneyKit is back and RetryAfter has passed: the next read revalidates.
        await harness.SandboxAsync(HttpMethod.Delete, "sandbox/faults");
        harness.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(original.Generation, (await catalog.GetAsync()).Generation);
        await catalog.WhenIdleAsync();
        var fresh = await catalog.GetAsync();
        Assert.NotEqual(original.Generation, fresh.Generation);
        Assert.Equal(3, fresh.Institutions.Count);
    }

    [Fact]
    public async Task Without_any_copy_an_outage_is_an_error_not_an_empty_list()
    {
        using var catalog = Catalog();
        await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["path_prefix"] = "/institutions", ["status"] = 503, ["count"] = 1000 });

        var error = await Assert.ThrowsAsync<MoneyKitException>(() => catalog.GetAsync());
        Assert.Equal(503, error.Status);

        await harness.SandboxAsync(HttpMethod.Delete, "sandbox/faults");
        Assert.Equal(3, (await catalog.GetAsync()).Institutions.Count);
    }

    private InstitutionCatalog Catalog(ILogger<InstitutionCatalog>? logger = null)
    {
        // No retries: an outage is one failed call, seen at once on the test clock.
        var moneyKit = new MoneyKitClient(
            new HttpClient(),
            (_, _) => ValueTask.FromResult(new MoneyKitCredentials("sandbox_client_id", "sandbox_client_secret")),
            new MoneyKitOptions { BaseUrl = harness.Sandbox.BaseAddress, MaxRetries = 0 },
            harness.Clock,
            NullLogger<MoneyKitClient>.Instance);
        return new InstitutionCatalog(harness.Tables, moneyKit, Microsoft.Extensions.Options.Options.Create(Options), harness.Clock, logger ?? NullLogger<InstitutionCatalog>.Instance);
    }

    private async Task<List<(string Method, string Path)>> InstitutionCallsAsync() =>
        (await harness.SandboxRequestsAsync("/institutions")).Where(r => r.Method == "GET").ToList();

    private sealed class RecordingLogger : ILogger<InstitutionCatalog>
    {
        private readonly ConcurrentQueue<string> lines = new();

        public IReadOnlyCollection<string> Lines => lines;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MoneyKit.Sandbox;
using MoneyKitBridge.Functions.Tests.Api;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Testing;
using Xunit.Abstractions;

namespace MoneyKitBridge.Functions.Tests.Scale;

/// <summary>
/// Issue 16, "many instances at once": three bridge processes (standalone, each firing the refresh timer every two
/// seconds) on one Azurite and one sandbox, webhooks delivered to a random instance, reads and on-demand refreshes
/// spread over the instances, MoneyKit answering some calls with 5xx and 429. MoneyKit's clock runs 90 s behind, so
/// every link is stale for the bridge (threshold one minute) as soon as it exists and the timers compete with the
/// on-demand refreshes for it. After the outage ends and the last change's webhook arrives, every link's pages equal
/// MoneyKit's; the sandbox's request log shows that no link's feed was ever walked by two syncs at once and that no
/// refresh was asked for twice within MoneyKit's hourly limit.
/// </summary>
public sealed class MultiInstanceTests(ITestOutputHelper output)
{
    private const int Instances = 3;
    private const int LinkCount = 6;
    private const int Rounds = 6;
    private const string AllDates = "start_date=2000-01-01&end_date=2100-01-01";
    private static readonly TimeSpan SandboxLag = TimeSpan.FromSeconds(90);

    private readonly ConcurrentBag<string> readFailures = [];
    private readonly ConcurrentDictionary<int, int> refreshAnswers = new();
    private int reads;
    private int webhooksSent;

    [Fact]
    public async Task Three_instances_keep_every_link_exact_without_overlapping_walks_or_spending_a_refresh_twice()
    {
        var watch = Stopwatch.StartNew();
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { PendingMode = SandboxPendingMode.ReplaceDropped }, new LaggingClock(SandboxLag));
        using var control = new HttpClient { BaseAddress = sandbox.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
        var upstream = new MoneyKitSdkClient(control, sandbox.BaseAddress, "sandbox_client_id", "sandbox_client_secret");
        await upstream.GenerateAccessTokenAsync();

        var ports = DistinctPorts();
        var http = ports.Select(port => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), Timeout = TimeSpan.FromMinutes(1) }).ToArray();
        await using var relay = await WebhookRelay.StartAsync(http);
        var tablePrefix = TestStorage.UniqueTableName("m");
        var bridges = ports.Select(port => StandaloneProcess.Start(Settings(sandbox.BaseAddress, relay.Url, tablePrefix), port)).ToArray();
        try
        {
            await Task.WhenAll(bridges.Select((bridge, i) => bridge.WaitUntilReadyAsync(http[i])));
            var apps = http.Select(h => new MoneyKitSdkClient(h, new Uri(h.BaseAddress!, "api/"), BridgeAppFactory.SdkId, BridgeAppFactory.SdkSecret)).ToArray();
            await Task.WhenAll(apps.Select(app => app.GenerateAccessTokenAsync()));
            var started = watch.Elapsed;

            // Chaos: each new link's refresh asked of every instance at once while three timers want it too, data
            // changes announced by webhooks that land on random instances, reads everywhere; MoneyKit failing some calls.
            await AddFaultsAsync(control, RefreshFaults);
            var links = await Task.WhenAll(Enumerable.Range(0, LinkCount).Select(async i =>
            {
                var linkId = await ConnectAsync(apps, control, i);
                await RefreshEverywhereAsync(apps, linkId, i % 2 == 0 ? ["transactions", "accounts"] : ["transactions"]);
                return linkId;
            }));
            await AddFaultsAsync(control, ReadFaults);
            using var stopReading = new CancellationTokenSource();
            var reading = ReadContinuouslyAsync(apps, links, stopReading.Token);
            for (var round = 0; round < Rounds; round++)
            {
                await Task.WhenAll(links.Select(linkId => ChangeAsync(control, upstream, linkId, round)));
                await AttemptedAsync(control, links.SelectMany(linkId => new[] { Key(linkId, $"{round}a"), Key(linkId, $"{round}b") }));
            }

            // Refreshed within the hour already: every instance refuses these itself.
            await Task.WhenAll(links.Select(linkId => RefreshEverywhereAsync(apps, linkId, ["transactions"])));

            await stopReading.CancelAsync();
            await reading;
            var chaos = watch.Elapsed;

            // The outage ends; each link's last change is announced once more (MoneyKit's webhook for it).
            using (var cleared = await control.DeleteAsync(new Uri("sandbox/faults", UriKind.Relative)))
            {
                cleared.EnsureSuccessStatusCode();
            }

            await Task.WhenAll(links.Select(linkId => AnnounceAsync(upstream, linkId, "final")));
            await Eventually.ValueAsync(
                async () => (await Task.WhenAll(links.SelectMany(linkId => apps.Select(app => DifferencesAsync(upstream, app, linkId))))).SelectMany(d => d).ToList(),
                differences => differences.Count == 0,
                "every link's pages at every instance to equal MoneyKit's",
                TimeSpan.FromSeconds(60),
                differences => string.Join(Environment.NewLine, differences.Take(10)));
            var converged = watch.Elapsed;

            foreach (var bridge in bridges)
            {
                await bridge.WaitForOutputAsync("RefreshStaleLinks: due=");
            }

            var log = SandboxCallLog.Parse(await control.GetStringAsync(new Uri("sandbox/requests", UriKind.Relative)));
            var deliveries = JsonNode.Parse(await control.GetStringAsync(new Uri("sandbox/webhooks/deliveries", UriKind.Relative)))!.AsArray();
            Report(log, links, relay, bridges, started, chaos, converged, watch.Elapsed);
            foreach (var failed in deliveries.Where(d => d!["status"]!.GetValue<int>() is < 200 or > 299))
            {
                output.WriteLine($"delivery not accepted: {failed!.ToJsonString()}");
            }

            Assert.All(bridges, bridge => Assert.False(bridge.HasExited, "an instance exited: " + string.Join(Environment.NewLine, bridge.StandardError)));
            Assert.Empty(readFailures);
            var failures = bridges.SelectMany(b => b.StandardOutput).Where(l => l.Contains("Standalone timer RefreshStaleLinks failed", StringComparison.Ordinal)
                || (l.Contains("Background sync (", StringComparison.Ordinal) && l.Contains(" failed: ", StringComparison.Ordinal))).ToList();
            Assert.True(failures.Count == 0, "timer runs and background syncs never fail (MoneyKit's errors are outcomes): " + string.Join(Environment.NewLine, failures));
            Assert.All(relay.Forwarded, count => Assert.True(count > 0, $"every instance should receive webhooks: {string.Join(", ", relay.Forwarded)}"));
            Assert.Contains(log.Calls, c => c.Fault is not null && c.Path.EndsWith("/transactions/sync", StringComparison.Ordinal));
            Assert.True(refreshAnswers.Keys.All(status => status is 202 or 429 or 502 or 503), "on-demand refresh answers: " + string.Join(", ", refreshAnswers));
            var problems = links.SelectMany(linkId => log.OverlappingWalks(linkId).Concat(log.RefreshesSpentTwice(linkId, TimeSpan.FromHours(1)))).ToList();
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
            Assert.All(links, linkId => Assert.Contains(log.RefreshCalls(linkId), c => c.Status == 202));
        }
        finally
        {
            foreach (var bridge in bridges)
            {
                await bridge.DisposeAsync();
            }

            foreach (var client in http)
            {
                client.Dispose();
            }
        }
    }

    private static int[] DistinctPorts()
    {
        var ports = new HashSet<int>();
        while (ports.Count < Instances)
        {
            ports.Add(LoopbackPort.Free());
        }

        return [.. ports];
    }

    private static Dictionary<string, string?> Settings(Uri sandbox, Uri webhooks, string tablePrefix)
    {
        var settings = StandaloneProcess.ValidSettings();
        settings["Storage__TablePrefix"] = tablePrefix;
        settings["MoneyKit__BaseUrl"] = sandbox.ToString();
        settings["Webhooks__PublicUrl"] = webhooks.ToString();
        settings["Auth__RateLimitBurst"] = "1000000";
        settings["Auth__RateLimitPerSecond"] = "100000";
        settings["Standalone__RunTimer"] = "true";
        settings["RefreshStaleLinks__Schedule"] = "*/2 * * * * *";
        settings["RefreshStaleLinks__StaleAfter"] = "00:01:00";
        settings["RefreshStaleLinks__ReconcileAfter"] = "00:00:00";
        // Small pages: every sync walks several, so two walks of one link would have room to interleave.
        settings["Sync__PageSize"] = "20";
        return settings;
    }

    /// <summary>A link session at one instance, Connect at the sandbox, history seeded, the exchange at another instance.</summary>
    private static async Task<string> ConnectAsync(MoneyKitSdkClient[] apps, HttpClient control, int i)
    {
        var (sessionStatus, session) = await apps[i % Instances].PostAsync("link-session", new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = $"multi-{i}" },
            ["institution_id"] = "instant_bank",
        });
        Assert.True(sessionStatus == HttpStatusCode.OK, $"link-session: {(int)sessionStatus} {session.ToJsonString()}");
        var step = JsonNode.Parse(await control.GetStringAsync(new Uri($"sandbox/connect/{session["link_session_token"]!.GetValue<string>()}", UriKind.Relative)))!;
        Assert.Equal("complete", step["step"]!.GetValue<string>());
        var linkId = step["link_id"]!.GetValue<string>();
        await SeedAsync(control, linkId, 40 + (15 * i));
        var (exchangeStatus, exchange) = await apps[(i + 1) % Instances].PostAsync("link-session/exchange-token", new JsonObject
        {
            ["exchangeable_token"] = step["exchangeable_token"]!.GetValue<string>(),
        });
        Assert.True(exchangeStatus == HttpStatusCode.OK, $"exchange-token: {(int)exchangeStatus} {exchange.ToJsonString()}");
        return linkId;
    }

    private static async Task SeedAsync(HttpClient control, string linkId, int count)
    {
        using var response = await control.PostAsJsonAsync(new Uri($"sandbox/links/{linkId}/transactions/seed", UriKind.Relative), new { count, days = 80 });
        Assert.True(response.IsSuccessStatusCode, $"seed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Refreshes fail now and then: 503 (retried after Retry-After) and 500 (not retried: the refresh is lost).</summary>
    private static readonly object[] RefreshFaults =
    [
        new { method = "POST", path_prefix = "/links/", status = 503, retry_after_seconds = 1, skip = 1, count = 2 },
        new { method = "POST", path_prefix = "/links/", status = 500, skip = 2, count = 1 },
    ];

    /// <summary>
    /// Reads of the feed and the link fail in bursts spread over the run: 500, 429 (Retry-After 1 s) and 503, some
    /// bursts longer than the bridge's retries. Added once the links exist (the token exchange needs its reads).
    /// </summary>
    private static readonly object[] ReadFaults =
    [
        new { method = "GET", path_prefix = "/links/", status = 500, skip = 4, count = 2 },
        new { method = "GET", path_prefix = "/links/", status = 429, retry_after_seconds = 1, skip = 6, count = 2 },
        new { method = "GET", path_prefix = "/links/", status = 503, skip = 5, count = 5 },
        new { method = "GET", path_prefix = "/links/", status = 500, skip = 8, count = 3 },
        new { method = "GET", path_prefix = "/links/", status = 429, retry_after_seconds = 1, skip = 6, count = 4 },
        new { method = "GET", path_prefix = "/links/", status = 503, skip = 10, count = 5 },
    ];

    private static async Task AddFaultsAsync(HttpClient control, object[] faults)
    {
        foreach (var fault in faults)
        {
            using var response = await control.PostAsJsonAsync(new Uri("sandbox/faults", UriKind.Relative), fault);
            Assert.True(response.IsSuccessStatusCode, $"fault: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The same on-demand refresh asked of every instance at once.</summary>
    private async Task RefreshEverywhereAsync(MoneyKitSdkClient[] apps, string linkId, string[] products) =>
        await Task.WhenAll(apps.Select(async app =>
        {
            var (status, _) = await app.PostAsync($"links/{linkId}/products", new JsonObject { ["products"] = new JsonArray([.. products.Select(p => (JsonNode)p)]) });
            refreshAnswers.AddOrUpdate((int)status, 1, (_, n) => n + 1);
        }));

    /// <summary>New transactions at MoneyKit, announced by two webhooks (two deliveries, likely two instances).</summary>
    private async Task ChangeAsync(HttpClient control, MoneyKitSdkClient upstream, string linkId, int round)
    {
        await SeedAsync(control, linkId, 3);
        await Task.WhenAll(AnnounceAsync(upstream, linkId, $"{round}a"), AnnounceAsync(upstream, linkId, $"{round}b"));
    }

    /// <summary>MoneyKit's <c>transactions.updates_available</c> webhook for the link (sent by the sandbox's test-webhook API).</summary>
    private async Task AnnounceAsync(MoneyKitSdkClient upstream, string linkId, string key)
    {
        var (status, body) = await upstream.PostAsync($"webhooks/test/link/{linkId}", new JsonObject
        {
            ["webhook_event"] = "transactions.updates_available",
            ["webhook_idempotency_key"] = Key(linkId, key),
        });
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.NoContent, $"test webhook: {(int)status} {body.ToJsonString()}");
        Interlocked.Increment(ref webhooksSent);
    }

    private static string Key(string linkId, string name) => $"multi-{linkId}-{name}";

    /// <summary>
    /// Paces the rounds by the system's own progress: waits until the sandbox tried to deliver the webhooks with these
    /// idempotency keys (one attempt each, whatever the answer: a failed one is retried by the sandbox later); the
    /// syncs they started run on into the next round.
    /// </summary>
    private static async Task AttemptedAsync(HttpClient control, IEnumerable<string> keys)
    {
        var expected = keys.ToHashSet(StringComparer.Ordinal);
        await Eventually.ValueAsync(
            async () =>
            {
                var deliveries = JsonNode.Parse(await control.GetStringAsync(new Uri("sandbox/webhooks/deliveries", UriKind.Relative)))!.AsArray();
                var missing = expected.Except(deliveries.Select(d => d!["webhook_idempotency_key"]!.GetValue<string>())).ToList();
                return (Missing: missing, Last: deliveries.TakeLast(3).Select(d => d!.ToJsonString()).ToList());
            },
            seen => seen.Missing.Count == 0,
            "the round's webhooks to be delivered",
            TimeSpan.FromSeconds(60),
            seen => $"not yet tried: {string.Join(", ", seen.Missing)}; the last deliveries: {string.Join(Environment.NewLine, seen.Last)}");
    }

    /// <summary>Reads of every link at every instance in turn until stopped; every one must succeed (served from the snapshot).</summary>
    private async Task ReadContinuouslyAsync(MoneyKitSdkClient[] apps, string[] links, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var app = apps[n % Instances];
            var linkId = links[n % links.Length];
            foreach (var path in new[] { $"links/{linkId}/transactions?{AllDates}&size=100", $"links/{linkId}" })
            {
                var (status, body) = await app.GetAsync(path);
                Interlocked.Increment(ref reads);
                if (status != HttpStatusCode.OK)
                {
                    readFailures.Add($"GET {app.BaseUrl}{path} → {(int)status} {body.ToJsonString()}");
                }
            }
        }
    }

    /// <summary>How the bridge's pages of the link (every page, at one instance) differ from MoneyKit's; empty when they are equal.</summary>
    private static async Task<List<string>> DifferencesAsync(MoneyKitSdkClient upstream, MoneyKitSdkClient app, string linkId)
    {
        var differences = new List<string>();
        for (var page = 1; ; page++)
        {
            var path = $"links/{linkId}/transactions?{AllDates}&size=100&page={page.ToString(CultureInfo.InvariantCulture)}";
            var expected = await upstream.GetOkAsync(path);
            var (status, actual) = await app.GetAsync(path);
            if (status != HttpStatusCode.OK)
            {
                return [$"link {linkId} page {page} at {app.BaseUrl}: the bridge answered {(int)status} {actual.ToJsonString()}"];
            }

            if (expected["total"]!.GetValue<int>() != actual["total"]!.GetValue<int>())
            {
                differences.Add($"link {linkId}: total {actual["total"]} at {app.BaseUrl}, {expected["total"]} at MoneyKit");
            }

            var expectedRows = expected["transactions"]!.AsArray();
            var actualRows = actual["transactions"]!.AsArray();
            if (!JsonNode.DeepEquals(expectedRows, actualRows))
            {
                differences.Add($"link {linkId} page {page}: the transactions differ ({actualRows.Count} at {app.BaseUrl}, {expectedRows.Count} at MoneyKit)");
            }

            if (page * 100 >= expected["total"]!.GetValue<int>() || differences.Count > 0)
            {
                return differences;
            }
        }
    }

    private void Report(SandboxCallLog log, string[] links, WebhookRelay relay, StandaloneProcess[] bridges, TimeSpan started, TimeSpan chaos, TimeSpan converged, TimeSpan total)
    {
        var feed = links.Sum(l => log.FeedCalls(l).Count);
        var faulted = log.Calls.Count(c => c.Fault is not null);
        var refreshes = links.Sum(l => log.RefreshCalls(l).Count(c => c.Status == 202));
        var timerRuns = bridges.Select(b => b.StandardOutput.Count(l => l.Contains("RefreshStaleLinks: due=", StringComparison.Ordinal)));
        var timerRefreshes = bridges.Sum(b => b.StandardOutput.Count(l => l.Contains("Requested a refresh of", StringComparison.Ordinal)));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"instances up {started.TotalSeconds:0.0} s, chaos done {chaos.TotalSeconds:0.0} s, converged {converged.TotalSeconds:0.0} s, total {total.TotalSeconds:0.0} s"));
        output.WriteLine($"MoneyKit calls {log.Calls.Count} (faulted {faulted}), feed calls {feed}, accepted refreshes {refreshes} (by timers {timerRefreshes})");
        output.WriteLine($"on-demand refresh answers {string.Join(", ", refreshAnswers.Select(a => $"{a.Key}×{a.Value}"))}; reads {reads}; test webhooks {webhooksSent}; deliveries per instance {string.Join("/", relay.Forwarded)}; timer runs per instance {string.Join("/", timerRuns)}");
    }
}

using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// Issue 11's bounded fuzz run: seeded (repeatable) random and mutated requests over every route — no 5xx, no 4xx
/// without MoneyKit's body and <c>X-Request-Id</c>, no change to any stored row, and no canary credential in anything
/// logged at any level. The figures are printed for the record.
/// </summary>
[Collection(HostileClientGroup.Name)]
public sealed class HostileClientFuzzTests(HostileClientFixture fixture, ITestOutputHelper output)
{
    public const int Seed = 20261204;
    public const int RequestCount = 3200;

    /// <summary>Issue 14's routes, each of which the run must reach with a request its handler serves (a 200).</summary>
    private static readonly (string Name, Regex Path)[] Issue14Routes =
    [
        ("institutions", new Regex("^/api/institutions$")),
        ("institution", new Regex("^/api/institutions/[^/]+$")),
        ("numbers", new Regex("^/api/links/[^/]+/accounts/numbers$")),
        ("identity", new Regex("^/api/links/[^/]+/identity$")),
        ("user accounts", new Regex("^/api/users/[^/]+/accounts$")),
        ("user transactions", new Regex("^/api/users/[^/]+/transactions$")),
        ("transactions/sync", new Regex("^/api/links/[^/]+/transactions/sync$")),
    ];

    [Fact]
    public async Task Thousands_of_hostile_requests_answer_4xx_with_MoneyKit_bodies_change_nothing_and_log_no_credential()
    {
        var generator = new HostileRequestGenerator(
            Seed, fixture.LinkId, "hostile-client-user", new HostileTokens(fixture.ReaderToken, fixture.AdminToken, fixture.SdkToken), fixture.Cursors);
        var requests = Enumerable.Range(0, RequestCount).Select(_ => generator.Next()).ToList();
        var before = await SettledSnapshotAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var statuses = new ConcurrentDictionary<int, int>();
        var routeStatuses = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<string>();
        var serverErrors = 0;
        var unshaped = 0;
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (request, cancellationToken) =>
        {
            using var message = request.ToMessage();
            using var response = await fixture.App.SendAsync(message, cancellationToken);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            var pathOnly = request.Path.Split('?')[0];
            foreach (var (name, pattern) in Issue14Routes.Where(r => r.Path.IsMatch(pathOnly)))
            {
                routeStatuses.AddOrUpdate($"{name} {(int)response.StatusCode}", 1, (_, n) => n + 1);
            }
            if (await HostileRequest.CheckAnswerAsync(response, request.Method) is { } problem)
            {
                Interlocked.Increment(ref problem.StartsWith('5') ? ref serverErrors : ref unshaped);
                failures.Enqueue($"{problem}\n    for {request}");
            }
        });

        var elapsed = clock.Elapsed;
        var after = await SettledSnapshotAsync();
        var changes = StorageSnapshot.Differences(before, after);
        var logs = fixture.Logs.Entries.ToList();
        var credentialHits = logs.Where(l => l.Contains(HostileRequest.CanaryPrefix, StringComparison.Ordinal)
            || l.Contains(fixture.AdminToken, StringComparison.Ordinal) || l.Contains(fixture.ReaderToken, StringComparison.Ordinal)
            || l.Contains(fixture.SdkToken, StringComparison.Ordinal)).ToList();

        output.WriteLine($"fuzz seed={Seed} requests={requests.Count} in {elapsed.TotalSeconds:0.0} s, canaries={generator.Canaries.Count} log_entries={logs.Count}");
        output.WriteLine($"fuzz 5xx={serverErrors} non_moneykit_4xx={unshaped} state_changes={changes.Count} credential_hits={credentialHits.Count}");
        output.WriteLine("fuzz statuses: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        output.WriteLine("fuzz issue-14 routes: " + string.Join(", ", routeStatuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}×{s.Value}")));
        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers, e.g.:\n" + string.Join("\n", failures.Take(10)));
        Assert.True(changes.Count == 0, "stored rows changed:\n" + string.Join("\n", changes.Take(10)));
        Assert.True(credentialHits.Count == 0, "credentials logged:\n" + string.Join("\n", credentialHits.Take(10)));
        Assert.True(statuses.Keys.Count(s => s >= 400) >= 6, "the run should reach many kinds of refusal");
        Assert.All(Issue14Routes, r => Assert.True(routeStatuses.ContainsKey(r.Name + " 200"), $"the run never had {r.Name} served"));
        Assert.All(new[] { "institutions", "user accounts", "user transactions", "transactions/sync" }, r => Assert.True(routeStatuses.ContainsKey(r + " 422"), $"the run never had {r} refuse a query"));
    }

    /// <summary>The app's tables once background work (the first sync of the link) has stopped writing.</summary>
    private async Task<SortedDictionary<string, List<string>>> SettledSnapshotAsync()
    {
        var previous = await StorageSnapshot.TakeAsync(fixture.TablePrefix);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await Task.Delay(100);
            var current = await StorageSnapshot.TakeAsync(fixture.TablePrefix);
            if (StorageSnapshot.Differences(previous, current).Count == 0)
            {
                return current;
            }

            previous = current;
        }

        throw new InvalidOperationException("storage never settled");
    }
}

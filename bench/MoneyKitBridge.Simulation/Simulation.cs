using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.MoneyKit;
using MoneyKitBridge.Simulation.MoneyKit;
using MoneyKitBridge.Simulation.Storage;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Simulation;

/// <summary>
/// Runs the real <see cref="RefreshStaleLinksJob"/> (with the real <see cref="LinkIndex"/>, <see cref="LinkStateStore"/>,
/// <see cref="RefreshLimits"/>, <see cref="LinkSyncEngine"/> and <see cref="MoneyKitClient"/>) on a timer in simulated
/// time, against the simulated Table service and MoneyKit. Between runs it delivers what happened upstream: completed
/// refreshes (the webhook's sync is modelled by its state-row and index writes, made with the real store code; a lost
/// webhook leaves the link to the job's reconciliation) and links failing into error (applied with the real
/// <see cref="LinkLifecycle"/> unless the webhook is lost).
/// </summary>
internal sealed class Simulation
{
    private const string Prefix = "sim";
    private readonly Scenario scenario;
    private readonly TestClock clock;
    private readonly SimulatedTables store = new();
    private readonly PartitionTraffic traffic = new();
    private readonly SimulatedLatency latency;
    private readonly SimulatedTableTransport transport;
    private readonly UpstreamLinks upstream;
    private readonly MoneyKitCalls calls;
    private readonly BridgeTables tables;
    private readonly LinkStateStore states;
    private readonly LinkSyncEngine engine;
    private readonly LinkLifecycle lifecycle;
    private readonly RefreshStaleLinksJob job;
    private readonly Random random;
    private readonly SimulationResult result;
    private DateTimeOffset dueScanEnded;

    public Simulation(Scenario scenario)
    {
        this.scenario = scenario;
        random = new Random(scenario.Seed);
        clock = new TestClock(scenario.Start);
        latency = new SimulatedLatency(clock);
        result = new SimulationResult(scenario, traffic);
        transport = new SimulatedTableTransport(store, traffic, latency, scenario.Table) { QueryPageServed = OnQueryPage };
        upstream = new UpstreamLinks(scenario.Links, i => scenario.Start - scenario.AgeAtStart(i));

        var tableOptions = BridgeTables.CreateOptions();
        tableOptions.Transport = transport;
        tableOptions.Diagnostics.IsLoggingEnabled = false;
        tableOptions.Diagnostics.IsDistributedTracingEnabled = false;
        tableOptions.Diagnostics.IsTelemetryEnabled = false;
        tables = new BridgeTables(new TableServiceClient(new Uri("https://sim.table.core.windows.net/"), new AzureSasCredential("sv=2019-02-02&sig=simulated"), tableOptions), Prefix);

        // The job's random jitter before each refresh is modelled as its mean, added to the refresh call's latency.
        var refresh = CopyOf(scenario.Refresh);
        refresh.MaxJitter = TimeSpan.Zero;
        var moneyKit = new SimulatedMoneyKit(upstream, scenario.MoneyKit, latency, scenario.Start, scenario.Refresh.MaxJitter / 2, new Random(scenario.Seed + 1));
        calls = moneyKit.Calls;
        var http = new HttpClient(moneyKit) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new MoneyKitClient(
            http,
            (_, _) => ValueTask.FromResult(new MoneyKitCredentials("simulated_client", "simulated_secret")),
            new MoneyKitOptions { BaseUrl = new Uri("https://moneykit.sim/") },
            clock,
            NullLogger<MoneyKitClient>.Instance);
        states = new LinkStateStore(tables, clock, Options.Create(new LinkStateOptions()));
        engine = new LinkSyncEngine(tables, states, client, Options.Create(new SyncOptions()), clock, NullLogger<LinkSyncEngine>.Instance);
        lifecycle = new LinkLifecycle(tables, states, client, clock, NullLogger<LinkLifecycle>.Instance);
        job = new RefreshStaleLinksJob(tables, states, client, engine, Options.Create(refresh), clock, NullLogger<RefreshStaleLinksJob>.Instance);
    }

    public SimulationResult Run(bool calibrate = true)
    {
        var wall = Stopwatch.StartNew();
        Seed();
        if (calibrate)
        {
            Calibrate();
        }

        var end = scenario.Start + scenario.Duration;
        var nextRun = scenario.Start;
        var nextSample = scenario.Start + scenario.WarmUp;
        while (nextRun < end)
        {
            DeliverUntil(nextRun);
            if (clock.GetUtcNow() < nextRun)
            {
                clock.Advance(nextRun - clock.GetUtcNow());
            }

            while (nextSample <= clock.GetUtcNow())
            {
                SampleStaleness();
                nextSample += scenario.SampleEvery;
            }

            var started = clock.GetUtcNow();
            if ((started - scenario.Start).Ticks / TimeSpan.TicksPerHour > (result.Runs.Count == 0 ? -1 : (result.Runs[^1].Started - scenario.Start).Ticks / TimeSpan.TicksPerHour))
            {
                Console.Error.WriteLine($"  {scenario.Name}: simulated hour {(started - scenario.Start).TotalHours:0}, {wall.Elapsed.TotalSeconds:0} s");
            }

            latency.Parallelism = 1;
            var run = Drive(job.RunAsync());
            latency.Parallelism = 1;
            result.Runs.Add(new RunRecord(started, clock.GetUtcNow() - started, dueScanEnded - started, run));

            // The Functions timer never overlaps itself: an occurrence missed while a run lasted fires once, at its end.
            nextRun += scenario.Period;
            if (nextRun < clock.GetUtcNow())
            {
                nextRun = clock.GetUtcNow();
            }
        }

        DeliverUntil(end);
        result.Calls = calls.Copy();
        result.WallTime = wall.Elapsed;
        result.IndexRows = store.Count(Prefix + "linkindex");
        return result;
    }

    private void Seed()
    {
        var index = Prefix + "linkindex";
        for (var i = 0; i < scenario.Links; i++)
        {
            var id = UpstreamLinks.IdOf(i);
            var row = new LinkIndexRow { LinkId = id, State = MoneyKitLinkStates.Connected, TransactionsRefreshedAt = upstream.RefreshedAt(i) };
            store.Seed(index, LinkRows.IndexPartition, LinkRows.Partition(id), Properties(row.ToEntity()), scenario.Start);
        }

        store.SetSeeder(Prefix + "linkstates", (partition, row) =>
            row == LinkRows.StateRow && UpstreamLinks.TryIndexOf(TableKeys.Decode(partition), scenario.Links, out var link)
                ? Properties(InitialState(link).ToEntity())
                : null);

        var failures = (int)Math.Round(scenario.Links * scenario.MoneyKit.FailuresPerLinkPerDay * scenario.Duration.TotalDays);
        for (var f = 0; f < failures; f++)
        {
            var at = scenario.Start + (scenario.Duration * random.NextDouble());
            upstream.Failures.Enqueue(new UpstreamEvent(random.Next(scenario.Links), random.NextDouble() < scenario.MoneyKit.LostWebhookShare), at.UtcTicks);
        }
    }

    private LinkState InitialState(int link)
    {
        var refreshedAt = scenario.Start - scenario.AgeAtStart(link);
        return new LinkState
        {
            LinkId = UpstreamLinks.IdOf(link),
            OwnerUserId = "user_" + link.ToString(System.Globalization.CultureInfo.InvariantCulture),
            State = MoneyKitLinkStates.Connected,
            Cursor = "c",
            Version = 1,
            FeedSequence = 1,
            HasData = true,
            TransactionsRefreshedAt = refreshedAt,
            PendingRefreshedAt = refreshedAt,
            LastSyncAt = refreshedAt,
            TombstonesPurgedAt = scenario.Start,
            CreatedAt = scenario.Start - TimeSpan.FromDays(30),
        };
    }

    /// <summary>What one real sync (the engine, as a delivered webhook would run it) costs, measured on one link.</summary>
    private void Calibrate()
    {
        var before = traffic.Tables.ToDictionary(t => t.Key, t => t.Value.Requests, StringComparer.Ordinal);
        var callsBefore = calls.Copy();
        Drive(engine.SyncAsync(UpstreamLinks.IdOf(scenario.Links - 1), SyncTrigger.Webhook));
        foreach (var (table, totals) in traffic.Tables)
        {
            result.RequestsPerRealSync[table] = totals.Requests - before.GetValueOrDefault(table);
        }

        result.MoneyKitCallsPerRealSync = calls.All - callsBefore.All;
    }

    private void DeliverUntil(DateTimeOffset until)
    {
        while (true)
        {
            var hasCompletion = upstream.Completions.TryPeek(out var completion, out var completionAt);
            var hasFailure = upstream.Failures.TryPeek(out var failure, out var failureAt);
            var nextCompletion = hasCompletion && completionAt <= until.UtcTicks;
            var nextFailure = hasFailure && failureAt <= until.UtcTicks;
            if (!nextCompletion && !nextFailure)
            {
                return;
            }

            if (nextCompletion && (!nextFailure || completionAt <= failureAt))
            {
                upstream.Completions.Dequeue();
                var at = new DateTimeOffset(completionAt, TimeSpan.Zero);
                AdvanceTo(at);
                upstream.Refreshed(completion.Link, at);
                if (completion.WebhookLost)
                {
                    result.LostRefreshWebhooks++;
                }
                else
                {
                    Drive(WebhookSyncAsync(UpstreamLinks.IdOf(completion.Link), at));
                }
            }
            else
            {
                upstream.Failures.Dequeue();
                var at = new DateTimeOffset(failureAt, TimeSpan.Zero);
                AdvanceTo(at);
                if (upstream.IsErrored(failure.Link))
                {
                    continue;
                }

                upstream.Fail(failure.Link);
                result.Failures++;
                if (failure.WebhookLost)
                {
                    result.LostStateWebhooks++;
                }
                else
                {
                    Drive(lifecycle.ApplyStateChangeAsync(UpstreamLinks.IdOf(failure.Link), MoneyKitLinkStates.Error, "auth_expired", at));
                }
            }
        }
    }

    /// <summary>
    /// The storage writes a delivered <c>transactions</c> webhook's sync ends with (state row, then the index), made
    /// with the real store code; the engine's reads of MoneyKit and its writes to the link's own partitions are
    /// counted from <see cref="Calibrate"/> instead of being run a million times.
    /// </summary>
    private async Task WebhookSyncAsync(string linkId, DateTimeOffset refreshedAt)
    {
        var state = await states.GetAsync(linkId);
        if (state is null || state.IsDeleted || state.SyncBlockedBy is not null || state.TransactionsRefreshedAt >= refreshedAt)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var stored = await states.TryReplaceAsync(state with
        {
            TransactionsRefreshedAt = refreshedAt,
            PendingRefreshedAt = refreshedAt,
            LastSyncAt = now,
            Version = state.Version + 1,
            FeedSequence = state.FeedSequence + 1,
        });
        if (stored is not null)
        {
            await LinkIndex.UpsertFromStateAsync(tables, stored, CancellationToken.None);
            result.WebhookSyncs++;
        }
    }

    private void SampleStaleness()
    {
        var now = clock.GetUtcNow();
        var index = Prefix + "linkindex";
        var sample = new StalenessHistogram();
        for (var i = 0; i < scenario.Links; i++)
        {
            if (upstream.IsErrored(i))
            {
                continue;
            }

            var row = store.Get(index, LinkRows.IndexPartition, LinkRows.Partition(UpstreamLinks.IdOf(i)), now);
            var refreshedAt = row?.Properties.GetValueOrDefault(nameof(LinkIndexRow.TransactionsRefreshedAt)) is DateTimeOffset at ? at : LinkIndexRow.Never;
            sample.Add(now - refreshedAt);
        }

        result.Staleness.Add(sample);
        result.LastStaleness = sample;
    }

    private void OnQueryPage(string filter, bool lastPage)
    {
        // The job scans for due links one page after another, then refreshes MaxConcurrency at a time, then reconciles
        // lost webhooks one by one: the filter tells the phases apart.
        if (filter.Contains(nameof(LinkIndexRow.AwaitingRefresh), StringComparison.Ordinal))
        {
            latency.Parallelism = 1;
        }
        else if (lastPage && filter.Contains(nameof(LinkIndexRow.NotBefore), StringComparison.Ordinal))
        {
            latency.Parallelism = scenario.Refresh.MaxConcurrency;
            dueScanEnded = clock.GetUtcNow();
        }
    }

    private void AdvanceTo(DateTimeOffset at)
    {
        if (clock.GetUtcNow() < at)
        {
            clock.Advance(at - clock.GetUtcNow());
        }
    }

    /// <summary>Runs <paramref name="task"/> to its end, firing the clock's timers (retry back-offs) whenever it waits on them.</summary>
    private T Drive<T>(Task<T> task)
    {
        Drive((Task)task);
        return task.GetAwaiter().GetResult();
    }

    private void Drive(Task task)
    {
        while (!task.IsCompleted)
        {
            if (clock.NextTimerDueIn is { } due && !task.Wait(TimeSpan.FromMilliseconds(1)))
            {
                clock.Advance(due > TimeSpan.Zero ? due : TimeSpan.FromTicks(1));
            }
            else
            {
                task.Wait(TimeSpan.FromMilliseconds(1));
            }
        }

        task.GetAwaiter().GetResult();
    }

    private static Dictionary<string, object> Properties(TableEntity entity)
    {
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in entity)
        {
            if (value is not null && name is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            {
                properties[name] = value is DateTime dateTime ? new DateTimeOffset(dateTime, TimeSpan.Zero) : value;
            }
        }

        return properties;
    }

    private static RefreshOptions CopyOf(RefreshOptions options) => new()
    {
        Schedule = options.Schedule,
        StaleAfter = options.StaleAfter,
        MinRefreshInterval = options.MinRefreshInterval,
        ReconcileAfter = options.ReconcileAfter,
        GiveUpAfter = options.GiveUpAfter,
        MaxLinksPerRun = options.MaxLinksPerRun,
        MaxConcurrency = options.MaxConcurrency,
        Budget = options.Budget,
        MaxJitter = options.MaxJitter,
    };
}

using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Reconciliation;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Tests.Harness;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Tests.Reconciliation;

/// <summary>
/// The reconciliation job against the sandbox over HTTP (as MoneyKit) and real Azurite: links MoneyKit has that the
/// bridge never stored are adopted (or reported), links MoneyKit no longer has are tombstoned, differing states are
/// corrected without overwriting newer ones; bounded per run, resumable, and one walk however many instances run it.
/// </summary>
public sealed class ReconcileLinksJobTests
{
    [Fact]
    public async Task Adopts_a_link_whose_exchange_crashed_for_its_customer_user_and_syncs_it_and_reports_links_the_bridge_did_not_create()
    {
        await using var harness = await BridgeHarness.StartAsync();
        await using var instance = new Instance(harness);
        var known = await harness.CreateLinkAsync("user-1");
        var orphan = await CreateUpstreamLinkAsync(harness, "user-2", tagged: true);
        await harness.SeedAsync(orphan, 30);
        var foreign = await CreateUpstreamLinkAsync(harness, "someone", tagged: false);

        var result = await instance.Job().RunAsync();

        Assert.Equal((ReconcileRunStatus.Ran, 1L, true, false), (result.Status, result.Cycle, result.CycleCompleted, result.StoppedEarly));
        Assert.Equal((3, 2), (result.Listed, result.Verified)); // the verify walk covers the adopted link too
        Assert.Equal((1, 1, 0, 0, 0), (result.Adopted, result.Reported, result.Tombstoned, result.Corrected, result.Failed));

        var adopted = await harness.States.GetAsync(orphan);
        Assert.NotNull(adopted);
        Assert.Equal(("user-2", MoneyKitLinkStates.Connected), (adopted.OwnerUserId, adopted.State));
        Assert.Equal([orphan], await harness.Lifecycle.GetUserLinkIdsAsync("user-2"));
        Assert.NotNull(await LinkIndex.GetAsync(harness.Tables, orphan, CancellationToken.None));
        Assert.True(adopted.HasData, "the adopted link's first sync ran before the run ended");
        await SnapshotAssert.StoredEqualsUpstreamAsync(harness, orphan);

        Assert.Null(await harness.States.GetAsync(foreign));
        Assert.Equal([known], await harness.Lifecycle.GetUserLinkIdsAsync("user-1"));
    }

    [Fact]
    public async Task With_adoption_off_an_unknown_link_is_only_reported()
    {
        await using var harness = await BridgeHarness.StartAsync();
        await using var instance = new Instance(harness, o => o.AdoptUnknownLinks = false);
        var orphan = await CreateUpstreamLinkAsync(harness, "user-2", tagged: true);

        var result = await instance.Job().RunAsync();

        Assert.Equal((0, 1), (result.Adopted, result.Reported));
        Assert.Null(await harness.States.GetAsync(orphan));
        Assert.Empty(await harness.Lifecycle.GetUserLinkIdsAsync("user-2"));
    }

    [Fact]
    public async Task A_link_MoneyKit_deleted_or_no_longer_knows_is_tombstoned_and_purged_as_the_deleted_webhook_does()
    {
        await using var harness = await BridgeHarness.StartAsync();
        await using var instance = new Instance(harness);
        var deleted = await harness.CreateLinkAsync("user-1");
        var kept = await harness.CreateLinkAsync("user-1");
        await harness.Engine.SyncAsync(deleted, SyncTrigger.LinkCreated);
        await harness.Engine.SyncAsync(kept, SyncTrigger.LinkCreated);
        await harness.SandboxAsync(HttpMethod.Post, $"sandbox/links/{deleted}/state", new JsonObject { ["state"] = "deleted" }); // its webhook was lost
        var ghost = (await harness.Lifecycle.RegisterAsync(new MoneyKitLink { LinkId = "mk_unknown_upstream", State = MoneyKitLinkStates.Connected }, "user-9")).LinkId;

        var result = await instance.Job().RunAsync();

        Assert.Equal((2, 0, 0), (result.Tombstoned, result.Corrected, result.Adopted));
        foreach (var linkId in new[] { deleted, ghost })
        {
            var state = await harness.States.GetAsync(linkId);
            Assert.NotNull(state);
            Assert.True(state.IsDeleted, $"{linkId} is a tombstone (reads answer 410 link_error.deleted)");
            Assert.NotNull(state.DeletedAt);
            Assert.Null(state.Cursor);
            Assert.Null(await LinkIndex.GetAsync(harness.Tables, linkId, CancellationToken.None));
            Assert.Empty(await DataRowsAsync(harness, linkId));
        }

        Assert.Equal([kept], await harness.Lifecycle.GetUserLinkIdsAsync("user-1"));
        Assert.Empty(await harness.Lifecycle.GetUserLinkIdsAsync("user-9"));
        Assert.NotEmpty(await DataRowsAsync(harness, kept));
        Assert.False((await harness.States.GetAsync(kept))!.IsDeleted);
    }

    [Fact]
    public async Task A_differing_state_is_corrected_but_never_over_a_newer_state_change()
    {
        await using var harness = await BridgeHarness.StartAsync();
        await using var instance = new Instance(harness);
        var stale = await harness.CreateLinkAsync("user-1");
        var newer = await harness.CreateLinkAsync("user-1");
        await harness.SandboxAsync(HttpMethod.Post, $"sandbox/links/{stale}/state", new JsonObject { ["state"] = "error", ["error_code"] = "auth_expired" });
        await harness.SandboxAsync(HttpMethod.Post, $"sandbox/links/{newer}/state", new JsonObject { ["state"] = "error", ["error_code"] = "auth_expired" });
        // A state-change webhook for `newer` stamped after the reconciliation asks MoneyKit (it reconnected meanwhile).
        Assert.True(await harness.Lifecycle.ApplyStateChangeAsync(newer, MoneyKitLinkStates.Connected, null, harness.Clock.GetUtcNow().AddMinutes(1)));

        var result = await instance.Job().RunAsync();

        Assert.Equal((1, 0), (result.Corrected, result.Tombstoned));
        var corrected = (await harness.States.GetAsync(stale))!;
        Assert.Equal((MoneyKitLinkStates.Error, "auth_expired"), (corrected.State, corrected.ErrorCode));
        Assert.Equal(harness.Clock.GetUtcNow(), corrected.StateChangedAt);
        Assert.Equal("error", (await LinkIndex.GetAsync(harness.Tables, stale, CancellationToken.None))!.State);
        Assert.Equal(MoneyKitLinkStates.Connected, (await harness.States.GetAsync(newer))!.State);

        // A state-change webhook older than the correction cannot undo it.
        Assert.False(await harness.Lifecycle.ApplyStateChangeAsync(stale, MoneyKitLinkStates.Connected, null, harness.Clock.GetUtcNow().AddSeconds(-1)));
    }

    [Fact]
    public async Task A_run_stops_at_its_budget_and_the_next_run_continues_where_it_stopped()
    {
        await using var harness = await BridgeHarness.StartAsync();
        await using var instance = new Instance(harness, o => { o.PageSize = 2; o.MaxPagesPerRun = 1; });
        var orphans = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            orphans.Add(await CreateUpstreamLinkAsync(harness, "user-" + i, tagged: true));
        }

        var runs = new List<ReconcileRunResult>();
        for (var i = 0; i < 6; i++)
        {
            runs.Add(await instance.Job().RunAsync()); // a new job each time: the position lives in storage, not in the process
        }

        Assert.Equal([2, 2, 1, 0, 0, 0], runs.Select(r => r.Listed));
        Assert.Equal([2, 2, 1, 0, 0, 0], runs.Select(r => r.Adopted));
        Assert.Equal([0, 0, 0, 2, 2, 1], runs.Select(r => r.Verified));
        Assert.Equal([true, true, true, true, true, false], runs.Select(r => r.StoppedEarly));
        Assert.Equal([false, false, false, false, false, true], runs.Select(r => r.CycleCompleted));
        Assert.All(runs, r => Assert.Equal((ReconcileRunStatus.Ran, 1L, 1), (r.Status, r.Cycle, r.Pages)));
        Assert.Equal(3, (await harness.SandboxRequestsAsync("/links")).Count(r => r.Path == "/links")); // no page listed twice
        foreach (var orphan in orphans)
        {
            Assert.Equal(2, (await harness.SandboxRequestsAsync($"/links/{orphan}")).Count(r => r.Path == $"/links/{orphan}")); // adopted once, verified once
        }

        // The cycle is complete: the next firing has nothing to do until MinCycleInterval has passed.
        Assert.Equal(ReconcileRunStatus.NotDue, (await instance.Job().RunAsync()).Status);
        harness.Clock.Advance(new ReconcileOptions().MinCycleInterval);
        var next = await instance.Job().RunAsync();
        Assert.Equal((ReconcileRunStatus.Ran, 2L, 2, 0), (next.Status, next.Cycle, next.Listed, next.Adopted));
    }

    [Fact]
    public async Task A_run_stops_at_its_tombstone_cap_and_leaves_the_other_links_alone_until_the_next_run()
    {
        // As with another app's credentials: MoneyKit knows none of the bridge's links.
        await using var harness = await BridgeHarness.StartAsync();
        await using var instance = new Instance(harness, o => o.MaxTombstonesPerRun = 2);
        var ghosts = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ghosts.Add((await harness.Lifecycle.RegisterAsync(new MoneyKitLink { LinkId = $"mk_other_app_{i}", State = MoneyKitLinkStates.Connected }, "user-1")).LinkId);
        }

        var first = await instance.Job().RunAsync();

        Assert.Equal((2, true, false), (first.Tombstoned, first.StoppedEarly, first.CycleCompleted));
        var states = await Task.WhenAll(ghosts.Select(id => harness.States.GetAsync(id)));
        Assert.Equal(2, states.Count(s => s!.IsDeleted));
        Assert.Equal(3, (await harness.Lifecycle.GetUserLinkIdsAsync("user-1")).Count);

        // The next run goes on from there, again at most two.
        var second = await instance.Job().RunAsync();
        Assert.Equal(2, second.Tombstoned);
        Assert.Single(await harness.Lifecycle.GetUserLinkIdsAsync("user-1"));
    }

    [Fact]
    public async Task The_links_budget_caps_each_page()
    {
        await using var harness = await BridgeHarness.StartAsync();
        await using var instance = new Instance(harness, o => { o.PageSize = 100; o.MaxLinksPerRun = 3; });
        for (var i = 0; i < 4; i++)
        {
            await CreateUpstreamLinkAsync(harness, "user-" + i, tagged: true);
        }

        var first = await instance.Job().RunAsync();
        var second = await instance.Job().RunAsync();

        Assert.Equal((3, 3, true), (first.Listed, first.Adopted, first.StoppedEarly));
        Assert.Equal((1, 1, 2), (second.Listed, second.Adopted, second.Verified)); // then 2 of the 4 links within its 3
    }

    [Fact]
    public async Task A_MoneyKit_429_stops_the_run_where_it_was_and_the_next_run_goes_on_from_there()
    {
        await using var harness = await BridgeHarness.StartAsync();
        await using var instance = new Instance(harness);
        for (var i = 0; i < 3; i++)
        {
            var linkId = await harness.CreateLinkAsync("user-" + i);
            await harness.SandboxAsync(HttpMethod.Post, $"sandbox/links/{linkId}/state", new JsonObject { ["state"] = "error", ["error_code"] = "auth_expired" });
        }

        var inOrder = (await LinkIndex.QueryAsync(harness.Tables, $"RowKey ge {string.Empty}", 10, CancellationToken.None)).Select(r => r.LinkId).ToList();
        await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["path_prefix"] = $"/links/{inOrder[1]}", ["method"] = "GET", ["status"] = 429, ["retry_after_seconds"] = 7200, ["count"] = 1 });

        var first = await instance.Job().RunAsync();
        var second = await instance.Job().RunAsync();

        Assert.Equal((1, 1, true, false), (first.Verified, first.Corrected, first.StoppedEarly, first.CycleCompleted)); // the 429 is not counted as a check
        Assert.Equal((2, 2, false, true), (second.Verified, second.Corrected, second.StoppedEarly, second.CycleCompleted));
        foreach (var id in inOrder)
        {
            Assert.Equal(MoneyKitLinkStates.Error, (await harness.States.GetAsync(id))!.State);
        }

        Assert.Single(await harness.SandboxRequestsAsync($"/links/{inOrder[0]}"), r => r.Path == $"/links/{inOrder[0]}"); // not asked again
        Assert.Equal(2, (await harness.SandboxRequestsAsync($"/links/{inOrder[1]}")).Count(r => r.Path == $"/links/{inOrder[1]}")); // the 429, then the answer
    }

    [Fact]
    public async Task Two_instances_running_at_once_walk_once_and_each_link_is_handled_once()
    {
        await using var harness = await BridgeHarness.StartAsync();
        await using var first = new Instance(harness);
        await using var second = new Instance(harness);
        var orphans = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            orphans.Add(await CreateUpstreamLinkAsync(harness, "user-" + i, tagged: true));
        }

        var deleted = await harness.CreateLinkAsync("user-x");
        var errored = await harness.CreateLinkAsync("user-x");
        await harness.SandboxAsync(HttpMethod.Post, $"sandbox/links/{deleted}/state", new JsonObject { ["state"] = "deleted" });
        await harness.SandboxAsync(HttpMethod.Post, $"sandbox/links/{errored}/state", new JsonObject { ["state"] = "error", ["error_code"] = "auth_expired" });

        var results = await Task.WhenAll(first.Job().RunAsync(), second.Job().RunAsync());

        Assert.Single(results, r => r.Status == ReconcileRunStatus.Ran);
        Assert.Single(results, r => r.Status is ReconcileRunStatus.Busy or ReconcileRunStatus.NotDue);
        Assert.Equal((4, 1, 1), (results.Sum(r => r.Adopted), results.Sum(r => r.Tombstoned), results.Sum(r => r.Corrected)));
        Assert.Single(await harness.SandboxRequestsAsync("/links"), r => r.Path == "/links");
        foreach (var orphan in orphans)
        {
            Assert.Equal(2, (await harness.SandboxRequestsAsync($"/links/{orphan}")).Count(r => r.Path == $"/links/{orphan}"));
            Assert.Single(await harness.SandboxRequestsAsync($"/links/{orphan}/transactions/sync"));
        }

        Assert.True((await harness.States.GetAsync(deleted))!.IsDeleted);
        Assert.Equal(MoneyKitLinkStates.Error, (await harness.States.GetAsync(errored))!.State);
        var progress = await ReconcileProgress.GetOrCreateAsync(harness.Tables, CancellationToken.None);
        Assert.Equal((ReconcilePhase.Idle, 1L, null), (progress.Phase, progress.Cycle, progress.LeaseOwner));
    }

    [Fact]
    public async Task A_crashed_runs_claim_blocks_others_until_its_lease_expires_then_the_walk_continues_from_its_position()
    {
        await using var harness = await BridgeHarness.StartAsync();
        await using var instance = new Instance(harness, o => { o.PageSize = 1; o.MaxPagesPerRun = 1; });
        var orphans = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            orphans.Add(await CreateUpstreamLinkAsync(harness, "user-" + i, tagged: true));
        }

        Assert.Equal(1, (await instance.Job().RunAsync()).Adopted);
        // A run claims the walk and dies without releasing it.
        var row = await ReconcileProgress.GetOrCreateAsync(harness.Tables, CancellationToken.None);
        Assert.NotNull(await ReconcileProgress.TryReplaceAsync(harness.Tables, row with { LeaseOwner = "crashed", LeaseUntil = harness.Clock.GetUtcNow() + TimeSpan.FromMinutes(5) }, row, CancellationToken.None));

        Assert.Equal(ReconcileRunStatus.Busy, (await instance.Job().RunAsync()).Status);
        harness.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var resumed = await instance.Job().RunAsync();

        Assert.Equal((ReconcileRunStatus.Ran, 1, 1L), (resumed.Status, resumed.Adopted, resumed.Cycle));
        Assert.NotNull(await harness.States.GetAsync(orphans[1]));
        Assert.Null(await harness.States.GetAsync(orphans[2]));
    }

    /// <summary>A link at MoneyKit the bridge never stored (created as a link session would, with the owner tag when <paramref name="tagged"/>).</summary>
    internal static async Task<string> CreateUpstreamLinkAsync(BridgeHarness harness, string userId, bool tagged)
    {
        var body = new JsonObject { ["customer_user_id"] = userId };
        if (tagged)
        {
            body["link_tags"] = new JsonArray("app-tag", LinkOwnerTag.Prefix + userId);
        }

        using var response = await harness.Control.PostAsJsonAsync("sandbox/links", body);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), MoneyKitJsonContext.Default.MoneyKitLink)!.LinkId;
    }

    /// <summary>The link's accounts and transactions (sync history excluded).</summary>
    private static async Task<List<string>> DataRowsAsync(BridgeHarness harness, string linkId)
    {
        var rows = new List<string>();
        await foreach (var row in harness.Tables.Links.QueryAsync<TableEntity>(TableKeys.PartitionFilter(LinkRows.Partition(linkId)), select: ["RowKey"]))
        {
            if (!row.RowKey.StartsWith(LinkRows.SyncHistoryPrefix, StringComparison.Ordinal))
            {
                rows.Add(row.RowKey);
            }
        }

        return rows;
    }

    /// <summary>One bridge instance: its own state store, lifecycle, sync scheduler and jobs, on the shared tables, sandbox and clock.</summary>
    internal sealed class Instance : IAsyncDisposable
    {
        private readonly BridgeHarness harness;
        private readonly ReconcileOptions options = new();
        private readonly LinkStateStore states;
        private readonly LinkLifecycle lifecycle;
        private readonly BackgroundSyncScheduler syncs;

        public Instance(BridgeHarness harness, Action<ReconcileOptions>? configure = null)
        {
            this.harness = harness;
            configure?.Invoke(options);
            states = new LinkStateStore(harness.Tables, harness.Clock, Options.Create(new LinkStateOptions { MaxAge = TimeSpan.Zero }));
            lifecycle = new LinkLifecycle(harness.Tables, states, harness.MoneyKit, harness.Clock, NullLogger<LinkLifecycle>.Instance);
            var engine = new LinkSyncEngine(harness.Tables, states, harness.MoneyKit, Options.Create(new SyncOptions { PageSize = 100 }), harness.Clock, NullLogger<LinkSyncEngine>.Instance);
            syncs = new BackgroundSyncScheduler(engine, NullLogger<BackgroundSyncScheduler>.Instance);
        }

        public ReconcileLinksJob Job() =>
            new(harness.Tables, states, lifecycle, harness.MoneyKit, syncs, Options.Create(options), harness.Clock, NullLogger<ReconcileLinksJob>.Instance);

        public ValueTask DisposeAsync() => syncs.DisposeAsync();
    }
}

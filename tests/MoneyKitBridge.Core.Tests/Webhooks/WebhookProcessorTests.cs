using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Webhooks;

namespace MoneyKitBridge.Core.Tests.Webhooks;

/// <summary>Processing of verified events straight through <see cref="WebhookProcessor"/> (Azurite; links from the sandbox).</summary>
public sealed class WebhookProcessorTests
{
    internal static MoneyKitWebhookEvent Event(string linkId, string key, DateTimeOffset at, string type = MoneyKitWebhookEvent.LinkStateChanged, string? state = "connected", string? error = null, int major = 1) => new()
    {
        WebhookEvent = type,
        WebhookMajorVersion = major,
        WebhookMinorVersion = 0,
        WebhookTimestamp = at,
        WebhookIdempotencyKey = key,
        LinkId = linkId,
        LinkTags = [],
        State = state,
        Error = error,
    };

    [Fact]
    public async Task A_thousand_shuffled_deliveries_with_thirty_percent_duplicates_apply_every_event_once_and_end_on_the_newest()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var initial = await bed.States.GetAsync(linkId);
        var start = bed.Clock.GetUtcNow();
        string[] codes = ["auth_expired", "invalid_credentials", "institution_error"];
        var unique = Enumerable.Range(0, 700)
            .Select(i => i % 3 == 0
                ? Event(linkId, $"evt-{i}", start.AddSeconds(i + 1), state: "error", error: codes[i % codes.Length])
                : Event(linkId, $"evt-{i}", start.AddSeconds(i + 1), state: "connected"))
            .ToList();
        var random = new Random(20260105);
        var deliveries = unique.Concat(Enumerable.Range(0, 300).Select(_ => unique[random.Next(unique.Count)])).ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(deliveries));

        var outcomes = new System.Collections.Concurrent.ConcurrentBag<(string Key, WebhookOutcome Outcome)>();
        await Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, ct) =>
            outcomes.Add((e.WebhookIdempotencyKey, (await bed.Processor.ProcessAsync(e, "dlv_" + e.WebhookIdempotencyKey, 1, ct)).Outcome)));

        var settled = outcomes.Select(o => o.Outcome).ToList();
        Assert.DoesNotContain(WebhookOutcome.Failed, settled);
        Assert.Equal(700, settled.Count(o => o is WebhookOutcome.Applied or WebhookOutcome.Stale));
        Assert.Equal(300, settled.Count(o => o == WebhookOutcome.Duplicate));
        var newest = unique[^1];
        var state = await bed.States.GetAsync(linkId);
        Assert.Equal(newest.State, state!.State);
        Assert.Equal(newest.Error, state.ErrorCode);
        Assert.Equal(newest.WebhookTimestamp, state.StateChangedAt);
        await bed.Processor.WhenIdleAsync();
        var rows = await bed.EventRowsAsync(linkId);
        Assert.Equal(700, rows.Count);
        Assert.Equal(700, rows.Select(r => r.GetString("IdempotencyKey")).Distinct().Count());
        // The state row moved once per applied event, and the event rows say which ones those were.
        Assert.Equal(initial!.Version + settled.Count(o => o == WebhookOutcome.Applied), state.Version);
        Assert.Equal(settled.Count(o => o == WebhookOutcome.Applied), rows.Count(r => r.GetString("Outcome") == "applied"));
    }

    [Fact]
    public async Task Concurrent_duplicates_of_one_event_have_one_effect()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var before = await bed.States.GetAsync(linkId);
        var e = Event(linkId, "same-event", bed.Clock.GetUtcNow().AddSeconds(1), state: "error", error: "auth_expired");

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => bed.Processor.ProcessAsync(e, $"dlv_{i}", 1))));

        Assert.Single(results, r => r.Outcome == WebhookOutcome.Applied);
        Assert.All(results.Where(r => r.Outcome != WebhookOutcome.Applied), r => Assert.Equal((WebhookOutcome.Duplicate, 200), (r.Outcome, r.Status)));
        Assert.Equal(before!.Version + 1, (await bed.States.GetAsync(linkId))!.Version);
        Assert.Single(await bed.EventRowsAsync(linkId));
    }

    [Fact]
    public async Task A_redelivered_event_arriving_with_new_ones_is_a_duplicate_and_the_new_ones_still_apply()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var at = bed.Clock.GetUtcNow();
        var first = Event(linkId, "first", at.AddSeconds(1), state: "error", error: "auth_expired");
        Assert.Equal(WebhookOutcome.Applied, (await bed.Processor.ProcessAsync(first, "dlv_1", 1)).Outcome);
        var initial = await bed.States.GetAsync(linkId);

        var burst = new[] { first }
            .Concat(Enumerable.Range(2, 6).Select(i => Event(linkId, $"next-{i}", at.AddSeconds(i), state: i % 2 == 0 ? "connected" : "error", error: i % 2 == 0 ? null : "institution_error")))
            .Append(first)
            .ToList();
        var results = await Task.WhenAll(burst.Select((e, i) => bed.Processor.ProcessAsync(e, $"dlv_burst_{i}", 2)));

        Assert.Equal(WebhookOutcome.Duplicate, results[0].Outcome);
        Assert.Equal(WebhookOutcome.Duplicate, results[^1].Outcome);
        Assert.All(results[1..^1], r => Assert.Contains(r.Outcome, new[] { WebhookOutcome.Applied, WebhookOutcome.Stale }));
        var state = await bed.States.GetAsync(linkId);
        Assert.Equal(("error", "institution_error", at.AddSeconds(7)), (state!.State, state.ErrorCode, state.StateChangedAt));
        Assert.Equal(initial!.Version + results.Count(r => r.Outcome == WebhookOutcome.Applied), state.Version);
        var rows = await bed.EventRowsAsync(linkId);
        Assert.Equal(7, rows.Count);
        Assert.Equal("dlv_1", rows.Single(r => r.GetString("IdempotencyKey") == "first").GetString("DeliveryToken"));
    }

    [Fact]
    public async Task A_state_row_changed_by_another_writer_since_the_last_event_is_read_again_and_kept()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var at = bed.Clock.GetUtcNow();
        Assert.Equal(WebhookOutcome.Applied, (await bed.Processor.ProcessAsync(Event(linkId, "first", at.AddSeconds(1), state: "error", error: "auth_expired"), "dlv_1", 1)).Outcome);

        // Another instance (here: a sync lease) writes the row after this processor last saw it.
        var other = await bed.States.UpdateAsync(linkId, s => s with { LeaseOwner = "other-instance", LeaseUntil = at.AddMinutes(5) });
        var second = await bed.Processor.ProcessAsync(Event(linkId, "second", at.AddSeconds(2), state: "connected"), "dlv_2", 1);

        Assert.Equal(WebhookOutcome.Applied, second.Outcome);
        var state = await bed.States.GetAsync(linkId);
        Assert.Equal(("connected", at.AddSeconds(2), "other-instance", other!.Version + 1), (state!.State, state.StateChangedAt, state.LeaseOwner, state.Version));
        Assert.Equal(["applied", "applied"], (await bed.EventRowsAsync(linkId)).Select(r => r.GetString("Outcome")));
    }

    [Fact]
    public async Task A_stale_event_changes_nothing_but_its_own_event_row()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var at = bed.Clock.GetUtcNow();
        await bed.Processor.ProcessAsync(Event(linkId, "newer", at.AddSeconds(5), state: "error", error: "auth_expired"), "dlv_1", 1);
        var before = await bed.States.GetAsync(linkId);

        var older = await bed.Processor.ProcessAsync(Event(linkId, "older", at.AddSeconds(1), state: "connected"), "dlv_2", 1);

        Assert.Equal(WebhookOutcome.Stale, older.Outcome);
        var after = await bed.States.GetAsync(linkId);
        Assert.Equal((before!.State, before.Version, before.ETag), (after!.State, after.Version, after.ETag));
        Assert.Equal("stale", (await bed.KeyRowAsync(linkId, "older"))!.GetString("Outcome"));
    }

    [Fact]
    public async Task Unknown_links_event_types_states_and_major_versions_are_recorded_without_side_effects()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var before = await bed.States.GetAsync(linkId);
        var at = bed.Clock.GetUtcNow().AddSeconds(1);

        var unknownLink = await bed.Processor.ProcessAsync(Event("mk_link_nobody_knows", "k1", at, state: "error", error: "auth_expired"), "dlv_1", 1);
        var unknownType = await bed.Processor.ProcessAsync(Event(linkId, "k2", at, type: "link.something_new", state: "error"), "dlv_2", 1);
        var unknownState = await bed.Processor.ProcessAsync(Event(linkId, "k3", at, state: "hibernating"), "dlv_3", 1);
        var majorTwo = await bed.Processor.ProcessAsync(Event(linkId, "k4", at, state: "error", error: "auth_expired", major: 2), "dlv_4", 1);

        Assert.Equal(
            [WebhookOutcome.UnknownLink, WebhookOutcome.UnknownEvent, WebhookOutcome.UnknownState, WebhookOutcome.UnsupportedVersion],
            new[] { unknownLink, unknownType, unknownState, majorTwo }.Select(r => r.Outcome));
        Assert.All(new[] { unknownLink, unknownType, unknownState, majorTwo }, r => Assert.Equal(200, r.Status));
        var after = await bed.States.GetAsync(linkId);
        Assert.Equal((before!.State, before.Version), (after!.State, after.Version));
        Assert.Equal("unknown_link", (await bed.KeyRowAsync("mk_link_nobody_knows", "k1"))!.GetString("Outcome"));
        Assert.Empty(await bed.RowsAsync("mk_link_nobody_knows", string.Empty));
        var recorded = (await bed.EventRowsAsync(linkId)).Select(r => r.GetString("Outcome")).Order().ToList();
        Assert.Equal(["unknown_event", "unknown_state", "unsupported_version"], recorded);
    }

    [Fact]
    public async Task Deleted_state_purges_the_links_data_keeps_a_tombstone_and_stops_syncs()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        await bed.SyncEngine.SyncAsync(linkId, SyncTrigger.Manual);
        Assert.NotEmpty(await bed.RowsAsync(linkId, LinkRows.TransactionPrefix));
        var at = bed.Clock.GetUtcNow().AddSeconds(1);

        var deleted = await bed.Processor.ProcessAsync(Event(linkId, "del", at, state: "deleted"), "dlv_1", 1);
        var olderConnected = await bed.Processor.ProcessAsync(Event(linkId, "old", at.AddSeconds(-1), state: "connected"), "dlv_2", 1);
        var updates = await bed.Processor.ProcessAsync(Event(linkId, "upd", at.AddSeconds(1), type: MoneyKitWebhookEvent.TransactionsUpdatesAvailable, state: null), "dlv_3", 1);
        await bed.Processor.WhenIdleAsync();

        Assert.Equal(WebhookOutcome.Applied, deleted.Outcome);
        Assert.Equal(WebhookOutcome.LinkDeleted, olderConnected.Outcome);
        Assert.Equal(WebhookOutcome.LinkDeleted, updates.Outcome);
        var state = await bed.States.GetAsync(linkId);
        Assert.NotNull(state!.DeletedAt);
        Assert.Equal("deleted", state.State);
        Assert.Empty(await bed.RowsAsync(linkId, LinkRows.TransactionPrefix));
        Assert.Empty(await bed.RowsAsync(linkId, LinkRows.AccountPrefix));
        Assert.Equal(3, (await bed.EventRowsAsync(linkId)).Count);
        Assert.DoesNotContain(await bed.RowsAsync(linkId, LinkRows.SyncHistoryPrefix), r => r.GetString("Trigger") == nameof(SyncTrigger.Webhook));
    }

    [Fact]
    public async Task A_burst_of_updates_available_collapses_into_at_most_two_sync_runs()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var at = bed.Clock.GetUtcNow();

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            bed.Processor.ProcessAsync(Event(linkId, $"upd-{i}", at.AddSeconds(i), type: MoneyKitWebhookEvent.TransactionsUpdatesAvailable, state: null), $"dlv_{i}", 1)));
        await Task.WhenAll(results.Select(r => r.Background));
        await bed.Processor.WhenIdleAsync();

        Assert.All(results, r => Assert.Equal(WebhookOutcome.Applied, r.Outcome));
        var runs = (await bed.RowsAsync(linkId, LinkRows.SyncHistoryPrefix)).Count(r => r.GetString("Trigger") == nameof(SyncTrigger.Webhook));
        Assert.InRange(runs, 1, 2);
        Assert.NotEmpty(await bed.RowsAsync(linkId, LinkRows.TransactionPrefix));
    }

    [Fact]
    public async Task Product_refresh_rows_keep_the_newest_state()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var at = bed.Clock.GetUtcNow();
        MoneyKitWebhookEvent Refresh(string key, DateTimeOffset when, string state) =>
            Event(linkId, key, when, type: MoneyKitWebhookEvent.LinkProductRefresh, state: state) with { Product = "accounts", StateChangedAt = when };

        var completed = await bed.Processor.ProcessAsync(Refresh("p2", at.AddSeconds(2), "completed"), "dlv_1", 1);
        var lateInProgress = await bed.Processor.ProcessAsync(Refresh("p1", at.AddSeconds(1), "in_progress"), "dlv_2", 1);
        var sameInstantInProgress = await bed.Processor.ProcessAsync(Refresh("p3", at.AddSeconds(2), "in_progress"), "dlv_3", 1);

        Assert.Equal((WebhookOutcome.Applied, WebhookOutcome.Stale, WebhookOutcome.Stale), (completed.Outcome, lateInProgress.Outcome, sameInstantInProgress.Outcome));
        var row = Assert.Single(await bed.StateRowsAsync(linkId, LinkRows.ProductPrefix));
        Assert.Equal(("accounts", "completed", at.AddSeconds(2)), (row.GetString("Product"), row.GetString("State"), row.GetDateTimeOffset("StateChangedAt")));
    }

    [Fact]
    public async Task Idempotency_keys_are_purged_only_after_the_retention()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var e = Event(linkId, "old-key", bed.Clock.GetUtcNow().AddSeconds(1), state: "error", error: "auth_expired");
        await bed.Processor.ProcessAsync(e, "dlv", 1);
        await bed.Processor.ProcessAsync(Event("mk_link_nobody_knows", "unknown-key", bed.Clock.GetUtcNow()), "dlv", 1);

        bed.Clock.Advance(bed.Options.DedupeRetention - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await bed.Processor.PurgeExpiredKeysAsync());
        Assert.Equal(WebhookOutcome.Duplicate, (await bed.Processor.ProcessAsync(e, "dlv_late", 9)).Outcome);
        await bed.Processor.ProcessAsync(Event(linkId, "fresh-key", bed.Clock.GetUtcNow(), type: "link.future_event"), "dlv", 1);
        bed.Clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(2, await bed.Processor.PurgeExpiredKeysAsync());
        Assert.Null(await bed.KeyRowAsync(linkId, "old-key"));
        Assert.Null(await bed.KeyRowAsync("mk_link_nobody_knows", "unknown-key"));
        Assert.NotNull(await bed.KeyRowAsync(linkId, "fresh-key"));
        Assert.Equal("error", (await bed.States.GetAsync(linkId))!.State);
    }
}

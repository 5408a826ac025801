using System.Diagnostics;
using System.Text.Json.Nodes;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Telemetry;
using MoneyKitBridge.Core.Tests.Harness;
using MoneyKitBridge.Core.Tests.Reconciliation;
using MoneyKitBridge.Core.Tests.Webhooks;
using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MoneyKitBridge.Core.Tests.Telemetry;

/// <summary>
/// The instruments record what the bridge did (real sandbox over HTTP, real Azurite): each test reads only the
/// measurements recorded in its own trace (<see cref="TelemetryCapture"/>), so parallel tests never count each other.
/// </summary>
public sealed class BridgeTelemetryTests
{
    [Fact]
    public async Task A_sync_records_its_duration_rows_lag_and_the_MoneyKit_calls_it_made()
    {
        await using var harness = await BridgeHarness.StartAsync(sync: o => o.PageSize = 50);
        var linkId = await harness.CreateLinkAsync();
        await harness.SeedAsync(linkId, 120);
        harness.Clock.Advance(TimeSpan.FromMinutes(5));
        using var capture = TelemetryCapture.Begin(nameof(A_sync_records_its_duration_rows_lag_and_the_MoneyKit_calls_it_made));

        var outcome = await harness.Engine.SyncAsync(linkId, SyncTrigger.Timer);

        Assert.Equal(SyncStatus.Completed, outcome.Status);
        var duration = Assert.Single(capture.Mine("moneykit_bridge.sync.duration"));
        Assert.Equal(("timer", "completed"), (duration.Tag("trigger"), duration.Tag("status")));
        Assert.True(outcome.Created > 0);
        Assert.Equal(outcome.Created, capture.Sum("moneykit_bridge.sync.rows", ("change", "created")));
        Assert.Equal(outcome.Updated, capture.Sum("moneykit_bridge.sync.rows", ("change", "updated")));

        var state = (await harness.States.GetAsync(linkId))!;
        var lag = Assert.Single(capture.Mine("moneykit_bridge.sync.lag"));
        Assert.Equal((harness.Clock.GetUtcNow() - state.TransactionsRefreshedAt!.Value).TotalSeconds, lag.Value, 3);
        Assert.True(lag.Value >= 300, $"lag {lag.Value} s covers the 5 minutes since MoneyKit's refresh");

        var pages = (await harness.SandboxRequestsAsync($"/links/{linkId}/transactions/sync")).Count;
        Assert.Equal(outcome.Pages, pages);
        Assert.Equal(pages, capture.Sum("moneykit_bridge.moneykit.requests", ("operation", "GET links/{id}/transactions/sync"), ("status_class", "2xx")));
        Assert.DoesNotContain(capture.Mine("moneykit_bridge.moneykit.requests"), m => m.Tags.Values.Any(v => v?.ToString()?.Contains(linkId, StringComparison.Ordinal) == true));
    }

    [Fact]
    public async Task A_failed_sync_records_its_status_and_each_429_MoneyKit_answered()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["path_prefix"] = $"/links/{linkId}/transactions/sync", ["status"] = 429, ["retry_after_seconds"] = 7200, ["count"] = 1 });
        using var capture = TelemetryCapture.Begin(nameof(A_failed_sync_records_its_status_and_each_429_MoneyKit_answered));

        var outcome = await harness.Engine.SyncAsync(linkId, SyncTrigger.Manual);

        Assert.Equal(SyncStatus.Failed, outcome.Status); // Retry-After beyond MaxRetryDelay: not retried
        var duration = Assert.Single(capture.Mine("moneykit_bridge.sync.duration"));
        Assert.Equal(("manual", "failed"), (duration.Tag("trigger"), duration.Tag("status")));
        Assert.Empty(capture.Mine("moneykit_bridge.sync.lag"));
        Assert.Equal(1, capture.Sum("moneykit_bridge.moneykit.throttled", ("operation", "GET links/{id}/transactions/sync")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.moneykit.requests", ("operation", "GET links/{id}/transactions/sync"), ("status_class", "4xx")));
    }

    [Fact]
    public async Task Snapshot_reads_record_a_miss_when_loaded_and_a_hit_when_served_from_the_cache()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        using var capture = TelemetryCapture.Begin(nameof(Snapshot_reads_record_a_miss_when_loaded_and_a_hit_when_served_from_the_cache));

        await harness.Reader.GetAsync(linkId);
        await harness.Reader.GetAsync(linkId);
        await harness.Reader.GetAsync(linkId);

        Assert.Equal(1, capture.Sum("moneykit_bridge.snapshot.cache", ("result", "miss")));
        Assert.Equal(2, capture.Sum("moneykit_bridge.snapshot.cache", ("result", "hit")));
    }

    [Fact]
    public async Task An_on_demand_refresh_records_accepted_then_limited_locally()
    {
        await using var harness = await BridgeHarness.StartAsync();
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        var refresh = new OnDemandRefresh(harness.Tables, harness.MoneyKit, harness.Clock);
        using var capture = TelemetryCapture.Begin(nameof(An_on_demand_refresh_records_accepted_then_limited_locally));

        Assert.True((await refresh.RequestAsync(linkId, ["transactions"])).Accepted);
        Assert.False((await refresh.RequestAsync(linkId, ["transactions"])).Accepted);

        Assert.Equal(1, capture.Sum("moneykit_bridge.refresh.requests", ("source", "api"), ("outcome", "accepted")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.refresh.requests", ("source", "api"), ("outcome", "limited")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.moneykit.requests", ("operation", "POST links/{id}/products"))); // the refusal spent no call
    }

    [Fact]
    public async Task A_timer_run_records_a_throttled_refresh_and_the_share_of_its_budget_it_used()
    {
        await using var harness = await BridgeHarness.StartAsync(refresh: o => o.MaxConcurrency = 1);
        var linkId = await harness.CreateLinkAsync();
        await harness.Engine.SyncAsync(linkId, SyncTrigger.LinkCreated);
        harness.Clock.Advance(TimeSpan.FromHours(7));
        await harness.SandboxAsync(HttpMethod.Post, "sandbox/faults", new JsonObject { ["method"] = "POST", ["path_prefix"] = $"/links/{linkId}/products", ["status"] = 429, ["error_code"] = "api_error.rate_limit_exceeded", ["retry_after_seconds"] = 7200, ["count"] = 1 });
        using var capture = TelemetryCapture.Begin(nameof(A_timer_run_records_a_throttled_refresh_and_the_share_of_its_budget_it_used));

        var run = await harness.Refresh.RunAsync();

        Assert.Equal(1, run.RateLimited);
        Assert.Equal(1, capture.Sum("moneykit_bridge.refresh.requests", ("source", "timer"), ("outcome", "throttled")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.moneykit.throttled", ("operation", "POST links/{id}/products")));
        var budget = Assert.Single(capture.Mine("moneykit_bridge.refresh.budget_used"));
        Assert.InRange(budget.Value, 0, 1);
    }

    [Fact]
    public async Task Webhook_outcomes_are_counted_by_event_type()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        using var capture = TelemetryCapture.Begin(nameof(Webhook_outcomes_are_counted_by_event_type));
        var at = bed.Clock.GetUtcNow();

        Assert.Equal(WebhookOutcome.Applied, (await bed.Processor.ProcessAsync(Event(linkId, "tel-1", at, MoneyKitWebhookEvent.LinkStateChanged, "error"), "dlv_1", 1)).Outcome);
        Assert.Equal(WebhookOutcome.Duplicate, (await bed.Processor.ProcessAsync(Event(linkId, "tel-1", at, MoneyKitWebhookEvent.LinkStateChanged, "error"), "dlv_2", 2)).Outcome);
        Assert.Equal(WebhookOutcome.UnknownLink, (await bed.Processor.ProcessAsync(Event("mk_no_such_link", "tel-2", at, MoneyKitWebhookEvent.TransactionsUpdatesAvailable), "dlv_3", 1)).Outcome);
        Assert.Equal(WebhookOutcome.UnknownEvent, (await bed.Processor.ProcessAsync(Event(linkId, "tel-3", at, "made.up/" + linkId), "dlv_4", 1)).Outcome);

        Assert.Equal(1, capture.Sum("moneykit_bridge.webhook.events", ("event", "link.state_changed"), ("outcome", "applied")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.webhook.events", ("event", "link.state_changed"), ("outcome", "duplicate")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.webhook.events", ("event", "transactions.updates_available"), ("outcome", "unknown_link")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.webhook.events", ("event", "other"), ("outcome", "unknown_event"))); // a made-up type never becomes a tag value
        Assert.Equal(4, capture.Mine("moneykit_bridge.webhook.events").Count);
    }

    [Fact]
    public async Task One_trace_runs_from_a_webhook_through_the_background_sync_it_started()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(BridgeTelemetry.Name).AddInMemoryExporter(exported).Build();
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        using var capture = TelemetryCapture.Begin(nameof(One_trace_runs_from_a_webhook_through_the_background_sync_it_started));

        var result = await bed.Processor.ProcessAsync(Event(linkId, "tel-sync", bed.Clock.GetUtcNow(), MoneyKitWebhookEvent.TransactionsUpdatesAvailable), "dlv_sync", 1);
        Assert.Equal(WebhookOutcome.Applied, result.Outcome);
        await result.Background;
        tracing.ForceFlush();

        List<Activity> mine;
        lock (exported)
        {
            mine = exported.Where(a => a.TraceId == capture.TraceId).ToList();
        }

        var webhook = Assert.Single(mine, a => a.OperationName == "webhook");
        var background = Assert.Single(mine, a => a.OperationName == "background_sync");
        var sync = Assert.Single(mine, a => a.OperationName == "sync");
        Assert.Equal(webhook.SpanId, background.ParentSpanId);
        Assert.Equal(background.SpanId, sync.ParentSpanId);
        Assert.Equal("webhook", sync.GetTagItem("moneykit_bridge.sync.trigger"));
        Assert.Equal("completed", sync.GetTagItem("moneykit_bridge.sync.status"));
        Assert.Equal("applied", webhook.GetTagItem("moneykit_bridge.webhook.outcome"));
        Assert.Equal(MoneyKitWebhookEvent.TransactionsUpdatesAvailable, webhook.GetTagItem("moneykit_bridge.webhook.event"));
        Assert.True(sync.StartTimeUtc >= webhook.StartTimeUtc);
        Assert.Single(capture.Mine("moneykit_bridge.sync.duration"), m => m.Tag("trigger") == "webhook" && m.Tag("status") == "completed"); // measured in the same trace
    }

    [Fact]
    public async Task A_reconciliation_run_counts_each_link_by_outcome()
    {
        await using var harness = await BridgeHarness.StartAsync();
        await using var instance = new ReconcileLinksJobTests.Instance(harness);
        var unchanged = await harness.CreateLinkAsync("user-1");
        var deleted = await harness.CreateLinkAsync("user-1");
        var errored = await harness.CreateLinkAsync("user-1");
        await ReconcileLinksJobTests.CreateUpstreamLinkAsync(harness, "user-2", tagged: true);
        await ReconcileLinksJobTests.CreateUpstreamLinkAsync(harness, "someone", tagged: false);
        await harness.SandboxAsync(HttpMethod.Post, $"sandbox/links/{deleted}/state", new JsonObject { ["state"] = "deleted" });
        await harness.SandboxAsync(HttpMethod.Post, $"sandbox/links/{errored}/state", new JsonObject { ["state"] = "error", ["error_code"] = "auth_expired" });
        using var capture = TelemetryCapture.Begin(nameof(A_reconciliation_run_counts_each_link_by_outcome));

        var result = await instance.Job().RunAsync();

        Assert.Equal(result.Adopted, capture.Sum("moneykit_bridge.reconcile.links", ("outcome", "adopted")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.reconcile.links", ("outcome", "adopted")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.reconcile.links", ("outcome", "reported")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.reconcile.links", ("outcome", "tombstoned")));
        Assert.Equal(1, capture.Sum("moneykit_bridge.reconcile.links", ("outcome", "corrected")));
        // Listed: 2 known links (MoneyKit no longer lists the deleted one), 1 adopted, 1 reported; verified: 4 links, 2 changed.
        Assert.Equal(result.Listed + result.Verified, capture.Sum("moneykit_bridge.reconcile.links"));
        Assert.Equal(4, capture.Sum("moneykit_bridge.reconcile.links", ("outcome", "unchanged")));
        Assert.DoesNotContain(capture.Mine("moneykit_bridge.reconcile.links"), m => m.Tags.Values.Any(v => v?.ToString()?.Contains(unchanged, StringComparison.Ordinal) == true));
    }

    private static MoneyKitWebhookEvent Event(string linkId, string key, DateTimeOffset at, string type, string? state = null) => new()
    {
        WebhookEvent = type,
        WebhookMajorVersion = 1,
        WebhookMinorVersion = 0,
        WebhookTimestamp = at,
        WebhookIdempotencyKey = key,
        LinkId = linkId,
        LinkTags = [],
        State = state,
    };
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using MoneyKitBridge.Core.Reconciliation;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Webhooks;

namespace MoneyKitBridge.Core.Telemetry;

/// <summary>
/// The bridge's OpenTelemetry instruments: one <see cref="Meter"/> and one <see cref="ActivitySource"/> named
/// <see cref="Name"/> (the MoneyKit client's call counters share the name, see <c>MoneyKitTelemetry</c>). Tags are
/// low-cardinality only (trigger, status, event, outcome): never link ids, tokens or anything a customer sent.
/// Recording costs nothing until a listener (the app's OpenTelemetry registration, a test) subscribes.
/// </summary>
public static class BridgeTelemetry
{
    /// <summary>The meter and activity source name to subscribe to.</summary>
    public const string Name = "MoneyKitBridge";

    /// <summary><c>source</c> tag of <c>moneykit_bridge.refresh.requests</c>: the RefreshStaleLinks timer.</summary>
    public const string RefreshSourceTimer = "timer";

    /// <summary><c>source</c> tag of <c>moneykit_bridge.refresh.requests</c>: <c>POST /links/{id}/products</c>.</summary>
    public const string RefreshSourceApi = "api";

    /// <summary><c>outcome</c>: MoneyKit accepted the refresh.</summary>
    public const string RefreshAccepted = "accepted";

    /// <summary><c>outcome</c>: refused by the bridge (MoneyKit's published limit would refuse it); MoneyKit was not asked.</summary>
    public const string RefreshLimited = "limited";

    /// <summary><c>outcome</c>: MoneyKit answered 429.</summary>
    public const string RefreshThrottled = "throttled";

    /// <summary><c>outcome</c>: MoneyKit refused or failed otherwise.</summary>
    public const string RefreshFailed = "failed";

    /// <summary><c>outcome</c>: the timer passed the link over (within a limit, claimed by another run, not refreshable, out of budget).</summary>
    public const string RefreshSkipped = "skipped";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Histogram<double> SyncDuration = Meter.CreateHistogram<double>(
        "moneykit_bridge.sync.duration", "s", "Duration of one sync request of a link (claim to release).");

    private static readonly Counter<long> SyncRows = Meter.CreateCounter<long>(
        "moneykit_bridge.sync.rows", "{row}", "Transaction rows a sync changed, by change (created, updated, removed, pending_replaced).");

    private static readonly Histogram<double> SyncLagSeconds = Meter.CreateHistogram<double>(
        "moneykit_bridge.sync.lag", "s", "Time from MoneyKit's transactions refreshed_at to the end of the sync that stored them.");

    private static readonly Counter<long> WebhookEvents = Meter.CreateCounter<long>(
        "moneykit_bridge.webhook.events", "{event}", "Verified webhook events processed, by event type and outcome.");

    private static readonly Counter<long> RefreshRequests = Meter.CreateCounter<long>(
        "moneykit_bridge.refresh.requests", "{request}", "Product refreshes asked for, by source (timer, api) and outcome (accepted, limited, throttled, failed, skipped).");

    private static readonly Histogram<double> RefreshBudgetUsed = Meter.CreateHistogram<double>(
        "moneykit_bridge.refresh.budget_used", "1", "Share of the RefreshStaleLinks run's wall-time budget one run used (1 = all of it).");

    private static readonly Counter<long> ReconciledLinks = Meter.CreateCounter<long>(
        "moneykit_bridge.reconcile.links", "{link}", "Links the Reconcile job examined, by outcome (unchanged, adopted, reported, tombstoned, corrected, failed).");

    private static readonly Counter<long> SnapshotCache = Meter.CreateCounter<long>(
        "moneykit_bridge.snapshot.cache", "{lookup}", "Link snapshot lookups served from this process's cache (hit) or loaded from storage (miss).");

    /// <summary>Starts the activity of one sync (null when nobody listens).</summary>
    public static Activity? StartSync(SyncTrigger trigger, ActivityContext parent = default)
    {
        var activity = Source.StartActivity("sync", ActivityKind.Internal, parent);
        activity?.SetTag("moneykit_bridge.sync.trigger", TriggerTag(trigger));
        return activity;
    }

    /// <summary>Starts the activity of one webhook event (null when nobody listens).</summary>
    public static Activity? StartWebhook(string eventType)
    {
        var activity = Source.StartActivity("webhook", ActivityKind.Internal);
        activity?.SetTag("moneykit_bridge.webhook.event", EventTag(eventType));
        return activity;
    }

    /// <summary>Records the end of one sync request: its duration and the rows it changed.</summary>
    public static void SyncEnded(SyncTrigger trigger, SyncOutcome outcome, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        SyncDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("trigger", TriggerTag(trigger)), new KeyValuePair<string, object?>("status", StatusTag(outcome.Status)));
        AddRows("created", outcome.Created);
        AddRows("updated", outcome.Updated);
        AddRows("removed", outcome.Removed);
        AddRows("pending_replaced", outcome.PendingReplaced);
        if (Activity.Current is { } activity && activity.Source == Source)
        {
            activity.SetTag("moneykit_bridge.sync.status", StatusTag(outcome.Status));
            if (outcome.Status is SyncStatus.Failed or SyncStatus.LinkError)
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome.Error);
            }
        }
    }

    /// <summary>Records how far behind MoneyKit's last transactions refresh a completed sync ended.</summary>
    public static void SyncLag(SyncTrigger trigger, TimeSpan lag) =>
        SyncLagSeconds.Record(Math.Max(0, lag.TotalSeconds), new KeyValuePair<string, object?>("trigger", TriggerTag(trigger)));

    /// <summary>Records one processed webhook event.</summary>
    public static void WebhookProcessed(string eventType, WebhookOutcome outcome)
    {
        WebhookEvents.Add(1, new KeyValuePair<string, object?>("event", EventTag(eventType)), new KeyValuePair<string, object?>("outcome", WebhookLog.Name(outcome)));
        if (Activity.Current is { } activity && activity.Source == Source)
        {
            activity.SetTag("moneykit_bridge.webhook.outcome", WebhookLog.Name(outcome));
            if (outcome == WebhookOutcome.Failed)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }

    /// <summary>Records one refresh decision: <paramref name="source"/> is timer or api.</summary>
    public static void RefreshRequested(string source, string outcome)
    {
        RefreshRequests.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>Records the share of its budget one timer run used.</summary>
    public static void RefreshRunEnded(TimeSpan elapsed, TimeSpan budget) =>
        RefreshBudgetUsed.Record(budget > TimeSpan.Zero ? elapsed / budget : 0);

    /// <summary>Records what reconciling one link did.</summary>
    public static void LinkReconciled(ReconcileOutcome outcome) =>
        ReconciledLinks.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            ReconcileOutcome.Adopted => "adopted",
            ReconcileOutcome.Reported => "reported",
            ReconcileOutcome.Tombstoned => "tombstoned",
            ReconcileOutcome.Corrected => "corrected",
            ReconcileOutcome.Failed => "failed",
            _ => "unchanged",
        }));

    /// <summary>Records one snapshot lookup.</summary>
    public static void SnapshotLookup(bool hit) =>
        SnapshotCache.Add(1, new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));

    private static void AddRows(string change, int count)
    {
        if (count > 0)
        {
            SyncRows.Add(count, new KeyValuePair<string, object?>("change", change));
        }
    }

    private static string TriggerTag(SyncTrigger trigger) => trigger switch
    {
        SyncTrigger.LinkCreated => "link_created",
        SyncTrigger.Webhook => "webhook",
        SyncTrigger.Timer => "timer",
        _ => "manual",
    };

    private static string StatusTag(SyncStatus status) => status switch
    {
        SyncStatus.Completed => "completed",
        SyncStatus.Coalesced => "coalesced",
        SyncStatus.Skipped => "skipped",
        SyncStatus.LinkError => "link_error",
        _ => "failed",
    };

    /// <summary>The event types the bridge knows keep their name; anything a sender made up is "other" (bounded cardinality).</summary>
    private static string EventTag(string? eventType) => eventType switch
    {
        MoneyKitWebhookEvent.LinkStateChanged => MoneyKitWebhookEvent.LinkStateChanged,
        MoneyKitWebhookEvent.LinkProductRefresh => MoneyKitWebhookEvent.LinkProductRefresh,
        MoneyKitWebhookEvent.TransactionsUpdatesAvailable => MoneyKitWebhookEvent.TransactionsUpdatesAvailable,
        _ => "other",
    };
}

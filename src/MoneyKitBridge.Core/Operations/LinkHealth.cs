namespace MoneyKitBridge.Core.Operations;

/// <summary>Which links the operator list shows: by MoneyKit state, link error code and staleness; one page of them (1-based).</summary>
public sealed record LinkHealthQuery(string? State, string? Error, bool? Stale, int Page, int Size)
{
    public const int DefaultSize = 25;
    public const int MaxSize = 100;
}

/// <summary>One page of the operator list, in link id order, and how many links match in all.</summary>
public sealed record LinkHealthPage(IReadOnlyList<LinkHealthSummary> Links, int Page, int Size, int Total);

/// <summary>
/// A link as the operator sees it. Nothing here is a secret: no tokens, no account numbers, no link object. Healthy is
/// connected with no link error and no sync stopped by one; lag is how much newer MoneyKit's transactions refresh is than
/// the one the bridge last synced (zero when caught up; null when MoneyKit's is unknown).
/// </summary>
public sealed record LinkHealthSummary(
    string LinkId,
    string State,
    string? ErrorCode,
    bool Healthy,
    bool Stale,
    string? InstitutionId,
    string? InstitutionName,
    DateTimeOffset? LastSyncAt,
    DateTimeOffset? TransactionsSyncedRefreshedAt,
    DateTimeOffset? UpstreamTransactionsRefreshedAt,
    double? LagSeconds,
    DateTimeOffset? NextRefreshDue);

/// <summary>One link's health: the summary, each product, the last sync and the sync history, and its recent webhook events.</summary>
public sealed record LinkHealthDetail(
    LinkHealthSummary Link,
    string? SyncBlockedBy,
    bool AwaitingRefresh,
    DateTimeOffset? RefreshRequestedAt,
    IReadOnlyList<ProductHealth> Products,
    SyncRun? LastSync,
    IReadOnlyList<SyncRun> SyncHistory,
    IReadOnlyList<WebhookEventSummary> WebhookEvents,
    SnapshotHealth Snapshot);

/// <summary>
/// The link's snapshot generations: the one serving reads, the one a full resync is building (null when none is due),
/// why, how many pages of the walk are committed, and the first retired generation still awaiting its purge.
/// </summary>
public sealed record SnapshotHealth(long Generation, long? ResyncGeneration, string? ResyncReason, long? ResyncPages, long? RetiredFrom);

/// <summary>A product of a link: MoneyKit's <c>refreshed_at</c>, last attempt and error, and the last refresh state a webhook reported.</summary>
public sealed record ProductHealth(string Product, DateTimeOffset? RefreshedAt, DateTimeOffset? LastAttemptedAt, string? ErrorCode, string? RefreshState);

/// <summary>One sync run: when, how long, rows changed (created + updated + removed), outcome and error.</summary>
public sealed record SyncRun(
    string Trigger, DateTimeOffset StartedAt, DateTimeOffset EndedAt, double DurationMs, int RowsChanged, int Created, int Updated, int Removed, int Pages, string Outcome, string? Error);

/// <summary>A webhook event the bridge received for the link and what processing it did (no delivery token, no body).</summary>
public sealed record WebhookEventSummary(
    string Event, string Outcome, DateTimeOffset ReceivedAt, DateTimeOffset WebhookTimestamp, int Attempt, string? State, string? ErrorCode, string? Product);

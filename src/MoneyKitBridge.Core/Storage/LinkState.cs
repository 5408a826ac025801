using System.Text.Json;
using Azure;
using MoneyKitBridge.MoneyKit;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// The state row of a link (table <c>linkstates</c>): who owns it, MoneyKit's link object as last seen, the sync cursor and snapshot
/// version, refresh bookkeeping, the sync lease, and the newest webhook applied.
/// </summary>
public sealed record LinkState
{
    private readonly string? linkJson;
    private readonly ParsedJson<MoneyKitLink>? parsedLink;
    private readonly string? appliedStateChangesJson;
    private readonly ParsedJson<AppliedStateChange[]>? parsedStateChanges;

    public required string LinkId { get; init; }

    /// <summary>MoneyKit's <c>customer_user.id</c> the link was created for.</summary>
    public string? OwnerUserId { get; init; }

    /// <summary>MoneyKit link state (connected, error, deleted, ...).</summary>
    public string? State { get; init; }

    /// <summary>MoneyKit link error code when <see cref="State"/> is error.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The MoneyKit link object as JSON (as MoneyKit returned it); <see cref="Link"/> is its parsed form.</summary>
    public string? LinkJson
    {
        get => linkJson;
        init
        {
            linkJson = value;
            parsedLink = value is null ? null : new ParsedJson<MoneyKitLink>(value, MoneyKitJsonContext.Default.MoneyKitLink);
        }
    }

    public string? Cursor { get; init; }

    /// <summary>Increases with every change of the stored data; readers cache by it.</summary>
    public long Version { get; init; }

    /// <summary>
    /// The change feed's committed sequence: every transaction row written by a sync run carries the sequence the run
    /// commits here after its data (only the sync lease holder advances it), so the feed serves rows up to it and never
    /// a half-written page.
    /// </summary>
    public long FeedSequence { get; init; }

    /// <summary>The highest feed sequence whose tombstones were purged: an older feed cursor has missed removals.</summary>
    public long FeedHorizon { get; init; }

    /// <summary>When tombstones past their retention were last looked for.</summary>
    public DateTimeOffset? TombstonesPurgedAt { get; init; }

    /// <summary>True once any sync page was applied.</summary>
    public bool HasData { get; init; }

    /// <summary><c>products.transactions.refreshed_at</c> as of the last applied page.</summary>
    public DateTimeOffset? TransactionsRefreshedAt { get; init; }

    /// <summary>The refresh whose pending transactions are the stored pending set.</summary>
    public DateTimeOffset? PendingRefreshedAt { get; init; }

    public DateTimeOffset? LastSyncAt { get; init; }

    /// <summary>Set when MoneyKit answered the sync with a link error; cleared when the link's state changes.</summary>
    public string? SyncBlockedBy { get; init; }

    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>Another trigger asked for a sync while the lease was held: the holder runs again before releasing.</summary>
    public bool SyncRequested { get; init; }

    /// <summary><c>webhook_timestamp</c> of the newest <c>link.state_changed</c> applied.</summary>
    public DateTimeOffset? StateChangedAt { get; init; }

    /// <summary>
    /// The newest <c>link.state_changed</c> events applied (at most <see cref="AppliedStateChange.Kept"/>, newest first)
    /// as JSON; <see cref="AppliedStateChanges"/> is its parsed form, parsed only when asked for.
    /// </summary>
    public string? AppliedStateChangesJson
    {
        get => appliedStateChangesJson;
        init
        {
            appliedStateChangesJson = value;
            parsedStateChanges = value is null ? null : new ParsedJson<AppliedStateChange[]>(value, StorageJsonContext.Default.AppliedStateChangeArray);
        }
    }

    /// <summary>The newest state changes applied, newest first (see <see cref="AppliedStateChangesJson"/>).</summary>
    public IReadOnlyList<AppliedStateChange> AppliedStateChanges => parsedStateChanges?.Value ?? [];

    /// <summary>When the link was deleted through the bridge (tombstone; data purged).</summary>
    public DateTimeOffset? DeletedAt { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>
    /// The generation of the snapshot that serves reads (its accounts and transactions are the rows under
    /// <see cref="LinkRows.AccountPrefixOf"/> and <see cref="LinkRows.TransactionPrefixOf"/>). A full resync builds
    /// generation <see cref="ResyncGeneration"/> beside it and switches to it in one write of this row.
    /// </summary>
    public long Generation { get; init; }

    /// <summary>The generation a full resync is building (always <see cref="Generation"/> + 1); null when none is due.</summary>
    public long? ResyncGeneration { get; init; }

    /// <summary>Why the resync was asked for (<c>operator</c>, <c>cursor_rejected</c>).</summary>
    public string? ResyncReason { get; init; }

    /// <summary>MoneyKit's cursor after the last page committed into <see cref="ResyncGeneration"/>; null: the walk starts (again) from an empty cursor.</summary>
    public string? ResyncCursor { get; init; }

    /// <summary>
    /// The feed sequence reserved when the resync began (the serving generation's <see cref="FeedSequence"/> + 1): the new
    /// generation's rows are written after it, and it becomes the <see cref="FeedHorizon"/> at the switch, so every feed
    /// cursor of the old generation is refused as expired. 0 before the walk began.
    /// </summary>
    public long ResyncBase { get; init; }

    /// <summary>The feed sequence of the last page committed into <see cref="ResyncGeneration"/>.</summary>
    public long ResyncSequence { get; init; }

    /// <summary><c>products.transactions.refreshed_at</c> as of the last page committed into <see cref="ResyncGeneration"/>.</summary>
    public DateTimeOffset? ResyncRefreshedAt { get; init; }

    /// <summary>Generations from this one up to <see cref="Generation"/> (exclusive) were retired by a switch and await purging.</summary>
    public long? RetiredFrom { get; init; }

    /// <summary>When the last switch retired a generation (its rows are purged once readers cannot be reading them).</summary>
    public DateTimeOffset? RetiredAt { get; init; }

    public ETag ETag { get; init; }

    /// <summary>
    /// <see cref="LinkJson"/> parsed, once per state version: the parse is shared by every copy made with <c>with</c>
    /// that keeps the JSON, and redone only when the JSON is set again.
    /// </summary>
    public MoneyKitLink? Link => parsedLink?.Value;

    public bool IsDeleted => DeletedAt is not null || State == MoneyKitLinkStates.Deleted;

    public static LinkState FromEntity(TableEntity entity) => new()
    {
        LinkId = entity.GetString(nameof(LinkId)) ?? TableKeys.Decode(entity.PartitionKey),
        OwnerUserId = entity.GetString(nameof(OwnerUserId)),
        State = entity.GetString(nameof(State)),
        ErrorCode = entity.GetString(nameof(ErrorCode)),
        LinkJson = entity.GetString(nameof(LinkJson)),
        Cursor = entity.GetString(nameof(Cursor)),
        Version = entity.GetInt64(nameof(Version)) ?? 0,
        FeedSequence = entity.GetInt64(nameof(FeedSequence)) ?? 0,
        FeedHorizon = entity.GetInt64(nameof(FeedHorizon)) ?? 0,
        TombstonesPurgedAt = entity.GetDateTimeOffset(nameof(TombstonesPurgedAt)),
        HasData = entity.GetBoolean(nameof(HasData)) ?? false,
        TransactionsRefreshedAt = entity.GetDateTimeOffset(nameof(TransactionsRefreshedAt)),
        PendingRefreshedAt = entity.GetDateTimeOffset(nameof(PendingRefreshedAt)),
        LastSyncAt = entity.GetDateTimeOffset(nameof(LastSyncAt)),
        SyncBlockedBy = entity.GetString(nameof(SyncBlockedBy)),
        LeaseOwner = entity.GetString(nameof(LeaseOwner)),
        LeaseUntil = entity.GetDateTimeOffset(nameof(LeaseUntil)),
        SyncRequested = entity.GetBoolean(nameof(SyncRequested)) ?? false,
        StateChangedAt = entity.GetDateTimeOffset(nameof(StateChangedAt)),
        AppliedStateChangesJson = entity.GetString(nameof(AppliedStateChangesJson)),
        DeletedAt = entity.GetDateTimeOffset(nameof(DeletedAt)),
        CreatedAt = entity.GetDateTimeOffset(nameof(CreatedAt)),
        Generation = entity.GetInt64(nameof(Generation)) ?? 0,
        ResyncGeneration = entity.GetInt64(nameof(ResyncGeneration)),
        ResyncReason = entity.GetString(nameof(ResyncReason)),
        ResyncCursor = entity.GetString(nameof(ResyncCursor)),
        ResyncBase = entity.GetInt64(nameof(ResyncBase)) ?? 0,
        ResyncSequence = entity.GetInt64(nameof(ResyncSequence)) ?? 0,
        ResyncRefreshedAt = entity.GetDateTimeOffset(nameof(ResyncRefreshedAt)),
        RetiredFrom = entity.GetInt64(nameof(RetiredFrom)),
        RetiredAt = entity.GetDateTimeOffset(nameof(RetiredAt)),
        ETag = entity.ETag,
    };

    /// <summary>
    /// The write, conditional on <paramref name="before"/>'s ETag, that turns its row into this one: a merge of the
    /// changed properties (a state change touches two or three of them, not the link object), or a replace when a
    /// property is cleared (a merge cannot remove one).
    /// </summary>
    public TableTransactionAction WriteOver(LinkState before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var next = ToEntity();
        var old = before.ToEntity();
        if (old.Custom().Any(p => !next.ContainsKey(p.Key)))
        {
            return new TableTransactionAction(TableTransactionActionType.UpdateReplace, next, before.ETag);
        }

        var changes = new TableEntity(next.PartitionKey, next.RowKey);
        foreach (var (name, value) in next.Custom())
        {
            if (!Equals(old.TryGetValue(name, out var was) ? was : null, value))
            {
                changes[name] = value;
            }
        }

        return new TableTransactionAction(TableTransactionActionType.UpdateMerge, changes, before.ETag);
    }

    /// <summary>The full row (replace semantics: absent values are removed).</summary>
    public TableEntity ToEntity() =>
        new TableEntity(LinkRows.Partition(LinkId), LinkRows.StateRow)
            .Put(nameof(LinkId), LinkId)
            .Put(nameof(OwnerUserId), OwnerUserId)
            .Put(nameof(State), State)
            .Put(nameof(ErrorCode), ErrorCode)
            .Put(nameof(LinkJson), LinkJson)
            .Put(nameof(Cursor), Cursor)
            .Put(nameof(Version), Version)
            .Put(nameof(FeedSequence), FeedSequence == 0 ? null : FeedSequence)
            .Put(nameof(FeedHorizon), FeedHorizon == 0 ? null : FeedHorizon)
            .Put(nameof(TombstonesPurgedAt), TombstonesPurgedAt)
            .Put(nameof(HasData), HasData)
            .Put(nameof(TransactionsRefreshedAt), TransactionsRefreshedAt)
            .Put(nameof(PendingRefreshedAt), PendingRefreshedAt)
            .Put(nameof(LastSyncAt), LastSyncAt)
            .Put(nameof(SyncBlockedBy), SyncBlockedBy)
            .Put(nameof(LeaseOwner), LeaseOwner)
            .Put(nameof(LeaseUntil), LeaseUntil)
            .Put(nameof(SyncRequested), SyncRequested)
            .Put(nameof(StateChangedAt), StateChangedAt)
            .Put(nameof(AppliedStateChangesJson), AppliedStateChangesJson)
            .Put(nameof(DeletedAt), DeletedAt)
            .Put(nameof(CreatedAt), CreatedAt)
            .Put(nameof(Generation), Generation == 0 ? null : Generation)
            .Put(nameof(ResyncGeneration), ResyncGeneration)
            .Put(nameof(ResyncReason), ResyncReason)
            .Put(nameof(ResyncCursor), ResyncCursor)
            .Put(nameof(ResyncBase), ResyncBase == 0 ? null : ResyncBase)
            .Put(nameof(ResyncSequence), ResyncSequence == 0 ? null : ResyncSequence)
            .Put(nameof(ResyncRefreshedAt), ResyncRefreshedAt)
            .Put(nameof(RetiredFrom), RetiredFrom)
            .Put(nameof(RetiredAt), RetiredAt);

    /// <summary>
    /// This state with MoneyKit's link object as a sync read it (<paramref name="link"/>; none: unchanged). Its state
    /// and error code are taken too, unless a state change was applied after the sync read the page that carried it
    /// (<see cref="StateChangedAt"/> is no longer <paramref name="stateChangedSeen"/>, its value when the page was
    /// requested): a page fetched before a <c>link.state_changed</c> must not put the older state back (the webhook's
    /// redelivery would then be refused as stale, and the link would keep the old state).
    /// </summary>
    public LinkState WithSyncedLink(MoneyKitLink? link, DateTimeOffset? stateChangedSeen) =>
        link is null ? this
        : StateChangedAt != stateChangedSeen ? this with { LinkJson = SerializeLink(link) }
        : this with { LinkJson = SerializeLink(link), State = link.State ?? State, ErrorCode = link.ErrorCode };

    /// <summary>Whether the state change with <paramref name="idempotencyKey"/> is among <see cref="AppliedStateChanges"/>.</summary>
    public bool HasApplied(string idempotencyKey) => Applied(idempotencyKey) is not null;

    /// <summary>The record of the state change with <paramref name="idempotencyKey"/> among <see cref="AppliedStateChanges"/>, or null.</summary>
    public AppliedStateChange? Applied(string idempotencyKey) =>
        AppliedStateChanges.FirstOrDefault(c => c.IdempotencyKey == idempotencyKey);

    /// <summary>This state with <paramref name="change"/> recorded first among <see cref="AppliedStateChanges"/> (the oldest beyond <see cref="AppliedStateChange.Kept"/> dropped).</summary>
    public LinkState WithApplied(AppliedStateChange change) => this with
    {
        AppliedStateChangesJson = JsonSerializer.Serialize(
            [change, .. AppliedStateChanges.Take(AppliedStateChange.Kept - 1)], StorageJsonContext.Default.AppliedStateChangeArray),
    };

    public static string SerializeLink(MoneyKitLink link) => JsonSerializer.Serialize(link, MoneyKitJsonContext.Default.MoneyKitLink);
}

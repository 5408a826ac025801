namespace MoneyKitBridge.Core.Queries;

/// <summary>A change of the feed: a transaction's row as of the feed sequence that last wrote it.</summary>
/// <param name="Sequence">The feed sequence that last wrote the row.</param>
/// <param name="TransactionId">MoneyKit's transaction id.</param>
/// <param name="CreatedSequence">The feed sequence the transaction first appeared at (0 when unknown).</param>
/// <param name="Removed">A tombstone: the transaction was removed (or, pending, replaced by a refresh).</param>
/// <param name="Json">MoneyKit's transaction JSON (empty for a tombstone).</param>
public sealed record FeedChange(long Sequence, string TransactionId, long CreatedSequence, bool Removed, string Json);

/// <summary>How a read of the change feed ended.</summary>
public enum ChangeFeedStatus
{
    /// <summary>A page of changes.</summary>
    Page,

    /// <summary>The cursor is older than the tombstones the bridge keeps: the consumer must start over.</summary>
    CursorExpired,

    /// <summary>The cursor points past the link's committed changes: it was not issued for this link's feed.</summary>
    CursorUnknown,
}

/// <summary>
/// One page of the change feed. <see cref="Created"/> holds transactions the consumer cannot have received before,
/// <see cref="Updated"/> those it may hold (apply both as upserts), <see cref="Removed"/> the ids of removed
/// transactions it may hold — including pending ones a refresh replaced.
/// </summary>
public sealed record ChangePage(
    ChangeFeedStatus Status,
    IReadOnlyList<FeedChange> Created,
    IReadOnlyList<FeedChange> Updated,
    IReadOnlyList<FeedChange> Removed,
    IReadOnlyList<StoredAccount> Accounts,
    FeedPosition Next,
    bool HasMore)
{
    public static ChangePage Refused(ChangeFeedStatus status, FeedPosition at) => new(status, [], [], [], [], at, false);
}

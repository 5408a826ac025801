namespace MoneyKitBridge.Core.Queries;

/// <summary>
/// How far a consumer of a link's change feed has read: every change ordered at or before
/// (<see cref="Sequence"/>, <see cref="LastTransactionId"/>) was served to it. Changes are ordered by the feed
/// sequence that wrote them, then by transaction id (ordinal); with no <see cref="LastTransactionId"/> the whole
/// sequence is included.
/// </summary>
public readonly record struct FeedPosition(long Sequence, string? LastTransactionId)
{
    /// <summary>Before every change: a consumer without a cursor.</summary>
    public static FeedPosition Start { get; } = new(-1, null);

    public bool IsStart => Sequence < 0;

    /// <summary>True when the change (<paramref name="sequence"/>, <paramref name="transactionId"/>) comes after this position.</summary>
    public bool Precedes(long sequence, string transactionId) =>
        sequence > Sequence || (sequence == Sequence && LastTransactionId is { } last && string.CompareOrdinal(transactionId, last) > 0);

    /// <summary>
    /// True when tombstones this position has not read yet were purged (their highest sequence is <paramref name="horizon"/>):
    /// the consumer would miss removals and must start over. A consumer at the start has nothing to miss.
    /// </summary>
    public bool IsOlderThan(long horizon) =>
        !IsStart && horizon > 0 && (Sequence < horizon || (Sequence == horizon && LastTransactionId is not null));
}

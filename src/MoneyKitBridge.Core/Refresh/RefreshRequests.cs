using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Refresh;

/// <summary>
/// The refresh bookkeeping of a link that on-demand refreshes share with the timer (kept in the link's index row):
/// when the next transactions/accounts refresh may be requested, and that one was requested.
/// </summary>
public sealed class RefreshRequests(BridgeTables tables)
{
    /// <summary>The earliest time the next transactions/accounts refresh of the link may be requested; null when the link has no index row.</summary>
    public async Task<DateTimeOffset?> GetNotBeforeAsync(string linkId, CancellationToken cancellationToken = default) =>
        (await LinkIndex.GetAsync(tables, linkId, cancellationToken))?.NotBefore;

    /// <summary>
    /// Records a refresh requested at <paramref name="requestedAt"/>: no other before <paramref name="notBefore"/>, and
    /// the timer reconciles it if its webhook never comes. A row changed meanwhile (the timer or a sync) is left as it
    /// is: the refresh was requested either way.
    /// </summary>
    public async Task RecordAsync(string linkId, DateTimeOffset requestedAt, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        if (await LinkIndex.GetAsync(tables, linkId, cancellationToken) is { } row)
        {
            await LinkIndex.TryReplaceAsync(tables, row with { NotBefore = notBefore, RefreshRequestedAt = requestedAt, AwaitingRefresh = true }, row.ETag, cancellationToken);
        }
    }
}

using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Sync;

/// <summary>
/// An operator's full resync of one link: marks it due on the state row (a resync already due is left as it is, so
/// asking twice walks once) and starts a sync, which runs the walk under the link's lease (see
/// <see cref="LinkSyncEngine"/>). A link in error keeps the mark and resyncs once MoneyKit serves it again.
/// </summary>
public sealed class LinkResync(LinkStateStore states, BackgroundSyncScheduler syncs)
{
    public async Task<ResyncRequest> RequestAsync(string linkId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkId);
        LinkState? seen = null;
        var stored = await states.UpdateAsync(
            linkId,
            current =>
            {
                seen = current;
                return current.IsDeleted
                    ? null
                    : current with { ResyncGeneration = current.ResyncGeneration ?? current.Generation + 1, ResyncReason = current.ResyncReason ?? ResyncReasons.Operator };
            },
            cancellationToken);
        if (seen is null)
        {
            return new ResyncRequest(ResyncRequestStatus.NotFound, null);
        }

        if (stored is null)
        {
            return new ResyncRequest(ResyncRequestStatus.Deleted, seen);
        }

        _ = syncs.Start(linkId, SyncTrigger.Manual);
        return new ResyncRequest(ResyncRequestStatus.Accepted, stored);
    }
}

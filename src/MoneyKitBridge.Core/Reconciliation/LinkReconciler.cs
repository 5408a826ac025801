using Microsoft.Extensions.Logging;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Reconciliation;

/// <summary>
/// Reconciles one link, through the paths the rest of the bridge uses, so every step is idempotent and safe to repeat
/// or to race: adoption is the exchange's registration (<see cref="LinkLifecycle.RegisterAsync"/>) plus its first
/// sync; a tombstone and a state correction are <see cref="LinkLifecycle.ApplyStateChangeAsync"/> with the time
/// MoneyKit was asked, so a state-change webhook newer than the answer still wins and an older one cannot undo it.
/// </summary>
internal sealed class LinkReconciler(
    LinkStateStore states, LinkLifecycle lifecycle, MoneyKitClient moneyKit, BackgroundSyncScheduler syncs, TimeProvider time, ILogger logger, bool adopt)
{
    /// <summary>A link of MoneyKit's list: adopted or reported when the bridge does not know it; known links are left to the verify walk.</summary>
    /// <exception cref="MoneyKitException">MoneyKit refused other than 404/410 (e.g. 429): the caller stops the run.</exception>
    public async Task<ReconcileOutcome> CheckListedAsync(string linkId, List<Task<SyncOutcome>> firstSyncs, CancellationToken cancellationToken)
    {
        if (await states.GetAsync(linkId, cancellationToken) is not null)
        {
            return ReconcileOutcome.Unchanged;
        }

        MoneyKitLink link;
        try
        {
            link = await moneyKit.GetLinkAsync(linkId, cancellationToken);
        }
        catch (MoneyKitException e) when (e.Status is 404 or 410)
        {
            return ReconcileOutcome.Unchanged; // deleted since it was listed
        }

        if (link.State is null or MoneyKitLinkStates.Deleted)
        {
            return ReconcileOutcome.Unchanged;
        }

        var owner = LinkOwnerTag.Find(link);
        if (owner is null || !adopt)
        {
            ReconcileLog.Reported(logger, linkId, owner ?? "(none)", owner is null ? "no customer user tag: the bridge did not create it" : "adoption is off (Reconcile__AdoptUnknownLinks)");
            return ReconcileOutcome.Reported;
        }

        await lifecycle.RegisterAsync(link, owner, cancellationToken);
        firstSyncs.Add(syncs.Start(linkId, SyncTrigger.LinkCreated));
        ReconcileLog.Adopted(logger, linkId, owner);
        return ReconcileOutcome.Adopted;
    }

    /// <summary>A link of the bridge: tombstoned when MoneyKit no longer has it, its state corrected when MoneyKit's differs.</summary>
    /// <exception cref="MoneyKitException">MoneyKit answered 429: the caller stops the run.</exception>
    public async Task<ReconcileOutcome> VerifyAsync(string linkId, CancellationToken cancellationToken)
    {
        var stored = await states.GetAsync(linkId, cancellationToken);
        if (stored is null || stored.IsDeleted)
        {
            return ReconcileOutcome.Unchanged;
        }

        var askedAt = time.GetUtcNow();
        MoneyKitLink link;
        try
        {
            link = await moneyKit.GetLinkAsync(linkId, cancellationToken);
        }
        catch (MoneyKitException e) when (e.Status is 404 or 410)
        {
            return await TombstoneAsync(linkId, askedAt, e.Status == 404 ? "404 link_error.not_found" : "410 link_error.deleted", cancellationToken);
        }
        catch (MoneyKitException e) when (e.Status != 429)
        {
            ReconcileLog.LinkFailed(logger, linkId, e.Status, e.ErrorCode);
            return ReconcileOutcome.Failed;
        }

        if (link.State == MoneyKitLinkStates.Deleted)
        {
            return await TombstoneAsync(linkId, askedAt, "state deleted", cancellationToken);
        }

        var errorCode = link.State == MoneyKitLinkStates.Error ? link.ErrorCode : null;
        if (!WebhookPrecheck.IsKnownState(link.State) || (link.State == stored.State && errorCode == stored.ErrorCode))
        {
            return ReconcileOutcome.Unchanged;
        }

        if (!await lifecycle.ApplyStateChangeAsync(linkId, link.State!, errorCode, askedAt, cancellationToken))
        {
            return ReconcileOutcome.Unchanged; // a newer state change was applied meanwhile
        }

        ReconcileLog.Corrected(logger, linkId, stored.State, link.State!, errorCode);
        return ReconcileOutcome.Corrected;
    }

    private async Task<ReconcileOutcome> TombstoneAsync(string linkId, DateTimeOffset askedAt, string evidence, CancellationToken cancellationToken)
    {
        if (!await lifecycle.ApplyStateChangeAsync(linkId, MoneyKitLinkStates.Deleted, null, askedAt, cancellationToken))
        {
            return ReconcileOutcome.Unchanged;
        }

        ReconcileLog.Tombstoned(logger, linkId, evidence);
        return ReconcileOutcome.Tombstoned;
    }
}

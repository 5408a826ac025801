namespace MoneyKitBridge.Core.Sync;

/// <summary>What started a sync.</summary>
public enum SyncTrigger
{
    LinkCreated,
    Webhook,
    Timer,
    Manual,
}

/// <summary>How a sync request ended.</summary>
public enum SyncStatus
{
    /// <summary>This call ran the sync to the end of the feed.</summary>
    Completed,

    /// <summary>Another holder is syncing the link; it was asked to run again, so nothing is missed.</summary>
    Coalesced,

    /// <summary>Unknown, deleted or blocked link: nothing to do.</summary>
    Skipped,

    /// <summary>MoneyKit reported the link in error or deleted; recorded on the state row.</summary>
    LinkError,

    /// <summary>The sync failed (MoneyKit unavailable, rate limited); the next trigger resumes from the stored cursor.</summary>
    Failed,
}

/// <summary>The result of one sync request.</summary>
public sealed record SyncOutcome(SyncStatus Status, int Pages = 0, int Created = 0, int Updated = 0, int Removed = 0, int PendingReplaced = 0, string? Error = null);

/// <summary>Points at which the engine has made durable progress (a test can stop the engine there to act out a crash).</summary>
public enum SyncCheckpoint
{
    BatchWritten,
    DeletesApplied,
    AccountsWritten,
    PageCommitted,
    PendingReplaced,

    /// <summary>A page of a full resync was committed into the generation being built.</summary>
    ResyncPageCommitted,

    /// <summary>The new generation is complete; the switch to it is next.</summary>
    GenerationBuilt,

    /// <summary>The state row now names the new generation; the old one is retired.</summary>
    GenerationSwitched,

    /// <summary>The retired generations' rows are deleted; the mark that they await purging is cleared next.</summary>
    GenerationPurged,
}

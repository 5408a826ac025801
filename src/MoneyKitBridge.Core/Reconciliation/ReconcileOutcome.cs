namespace MoneyKitBridge.Core.Reconciliation;

/// <summary>What reconciling one link did.</summary>
public enum ReconcileOutcome
{
    /// <summary>The bridge and MoneyKit agree (or a newer change already won): nothing written.</summary>
    Unchanged,

    /// <summary>MoneyKit's link was unknown to the bridge; it is now stored for its customer user and its first sync started.</summary>
    Adopted,

    /// <summary>MoneyKit's link is unknown to the bridge and was not adopted (adoption off, or no customer user tag): logged.</summary>
    Reported,

    /// <summary>MoneyKit no longer has the link (404, 410 or state <c>deleted</c>): tombstoned and purged as a <c>deleted</c> webhook does.</summary>
    Tombstoned,

    /// <summary>MoneyKit's state differed and was newer than the stored one: applied as a state-change webhook is.</summary>
    Corrected,

    /// <summary>MoneyKit could not answer for this link (not a 404/410); the next cycle tries again.</summary>
    Failed,
}

namespace MoneyKitBridge.Core.Reconciliation;

/// <summary>How a reconciliation run ended.</summary>
public enum ReconcileRunStatus
{
    /// <summary>The run held the walk and moved it (possibly to the end of the cycle).</summary>
    Ran,

    /// <summary>Another run (this or another instance) holds the walk; this one did nothing.</summary>
    Busy,

    /// <summary>The last cycle completed less than <see cref="ReconcileOptions.MinCycleInterval"/> ago; nothing to do.</summary>
    NotDue,
}

/// <summary>What one run did: pages and links handled and each outcome's count.</summary>
public sealed record ReconcileRunResult(ReconcileRunStatus Status, long Cycle = 0)
{
    public int Pages { get; init; }

    /// <summary>Links of MoneyKit's list examined.</summary>
    public int Listed { get; init; }

    /// <summary>Links of the bridge checked against MoneyKit.</summary>
    public int Verified { get; init; }

    public int Adopted { get; init; }

    public int Reported { get; init; }

    public int Tombstoned { get; init; }

    public int Corrected { get; init; }

    public int Failed { get; init; }

    /// <summary>The cycle's walk reached its end in this run.</summary>
    public bool CycleCompleted { get; init; }

    /// <summary>The run stopped at a budget (pages, links, time) or a MoneyKit refusal; the next run continues where it stopped.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>The run's claim on the walk was taken over (it outlived its lease); it stopped at once.</summary>
    public bool LeaseLost { get; init; }
}

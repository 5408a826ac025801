using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Telemetry;

namespace MoneyKitBridge.Core.Reconciliation;

/// <summary>One reconciliation run's identity, clock start, counters and the first syncs it started.</summary>
internal sealed class ReconcileRun(string id, long startedAt)
{
    private readonly Dictionary<ReconcileOutcome, int> outcomes = [];

    public string Id { get; } = id;

    public long StartedAt { get; } = startedAt;

    public List<Task<SyncOutcome>> FirstSyncs { get; } = [];

    public int Pages { get; set; }

    public int Links { get; private set; }

    public int Listed { get; private set; }

    public int Verified { get; private set; }

    public int Tombstoned => outcomes.GetValueOrDefault(ReconcileOutcome.Tombstoned);

    public bool StoppedEarly { get; set; }

    public bool Halted { get; set; }

    public bool LeaseLost { get; set; }

    public bool CycleCompleted { get; set; }

    public void Count(ReconcileOutcome outcome, bool listing)
    {
        Links++;
        if (listing)
        {
            Listed++;
        }
        else
        {
            Verified++;
        }

        outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        BridgeTelemetry.LinkReconciled(outcome);
    }

    public ReconcileRunResult Result(long cycle) => new(ReconcileRunStatus.Ran, cycle)
    {
        Pages = Pages,
        Listed = Listed,
        Verified = Verified,
        Adopted = outcomes.GetValueOrDefault(ReconcileOutcome.Adopted),
        Reported = outcomes.GetValueOrDefault(ReconcileOutcome.Reported),
        Tombstoned = Tombstoned,
        Corrected = outcomes.GetValueOrDefault(ReconcileOutcome.Corrected),
        Failed = outcomes.GetValueOrDefault(ReconcileOutcome.Failed),
        CycleCompleted = CycleCompleted,
        StoppedEarly = StoppedEarly && !CycleCompleted,
        LeaseLost = LeaseLost,
    };
}

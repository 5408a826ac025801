using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Simulation.MoneyKit;
using MoneyKitBridge.Simulation.Storage;

namespace MoneyKitBridge.Simulation;

/// <summary>One timer run: when it started, how long it took in simulated time (and its scan for due links), and what the job reported.</summary>
internal sealed record RunRecord(DateTimeOffset Started, TimeSpan Duration, TimeSpan ScanDuration, RefreshRunResult Result);

/// <summary>What a simulation measured.</summary>
internal sealed class SimulationResult(Scenario scenario, PartitionTraffic traffic)
{
    public Scenario Scenario { get; } = scenario;

    public PartitionTraffic Traffic { get; } = traffic;

    public List<RunRecord> Runs { get; } = [];

    /// <summary>Every sample after the warm-up, pooled.</summary>
    public StalenessHistogram Staleness { get; } = new();

    public StalenessHistogram? LastStaleness { get; set; }

    public MoneyKitCalls Calls { get; set; } = new();

    public long WebhookSyncs { get; set; }

    public long LostRefreshWebhooks { get; set; }

    public long LostStateWebhooks { get; set; }

    public long Failures { get; set; }

    public int IndexRows { get; set; }

    /// <summary>Table requests of one real engine sync (a delivered webhook's), per table.</summary>
    public Dictionary<string, long> RequestsPerRealSync { get; } = new(StringComparer.Ordinal);

    public long MoneyKitCallsPerRealSync { get; set; }

    public TimeSpan WallTime { get; set; }

    public double Days => Scenario.Duration.TotalDays;
}

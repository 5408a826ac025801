using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Simulation;

/// <summary>
/// Simulated time spent by calls. The fakes answer at once and move the clock by the call's modelled latency; while
/// the job refreshes links <see cref="Parallelism"/> at a time, a call moves it by its latency divided by that number
/// (the job's calls run one after another here, in the real app they overlap).
/// </summary>
internal sealed class SimulatedLatency(TestClock clock)
{
    public TestClock Clock { get; } = clock;

    /// <summary>How many calls overlap in the current phase (1 outside the job's concurrent refresh loop).</summary>
    public int Parallelism { get; set; } = 1;

    public void Spend(TimeSpan latency)
    {
        var step = latency / Math.Max(1, Parallelism);
        if (step > TimeSpan.Zero)
        {
            Clock.Advance(step);
        }
    }
}

namespace MoneyKitBridge.Simulation.Storage;

/// <summary>Modelled Table service costs (assumptions, printed with the results).</summary>
internal sealed record TableModel
{
    /// <summary>Latency of a point read or write (same region, small entity).</summary>
    public TimeSpan PointLatency { get; init; } = TimeSpan.FromMilliseconds(8);

    /// <summary>
    /// Rows a partition scan examines per second. Azure's documented target for one partition is 2,000 entities/s;
    /// whether rows a filter discards count against it is not documented, so this is a parameter.
    /// </summary>
    public double ScanRowsPerSecond { get; init; } = 2_000;

    /// <summary>Rows one query page may examine: the service ends a page after 5 seconds.</summary>
    public int MaxExaminedPerPage => (int)Math.Max(MaxPageRowsFloor, ScanRowsPerSecond * 5);

    private const int MaxPageRowsFloor = 1000;
}

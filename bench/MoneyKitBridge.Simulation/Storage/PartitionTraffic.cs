namespace MoneyKitBridge.Simulation.Storage;

/// <summary>
/// Counts what the simulated Table service served, per table and partition and per simulated second: requests, and
/// entities (rows read, written or examined by a query's scan, which is what Azure's per-partition target counts).
/// </summary>
internal sealed class PartitionTraffic
{
    private readonly Dictionary<(string Table, string Partition), Counter> partitions = [];
    private readonly Dictionary<string, TableTotals> tables = new(StringComparer.Ordinal);
    private readonly Counter account = new();

    /// <summary>Azure's documented target for one partition (entities per second).</summary>
    public const int PartitionTarget = 2_000;

    /// <summary>Records a request; its entities are spread evenly over <paramref name="seconds"/> seconds from <paramref name="second"/> (a long scan).</summary>
    public void Record(string table, string partition, long second, int entities, int seconds = 1)
    {
        if (seconds > 1)
        {
            var each = entities / seconds;
            for (var i = 0; i < seconds; i++)
            {
                RecordOne(table, partition, second + i, i == 0 ? entities - (each * (seconds - 1)) : each, i == 0 ? 1 : 0);
            }

            return;
        }

        RecordOne(table, partition, second, entities, 1);
    }

    private void RecordOne(string table, string partition, long second, int entities, int requests)
    {
        if (!partitions.TryGetValue((table, partition), out var counter))
        {
            counter = new Counter();
            partitions[(table, partition)] = counter;
        }

        counter.Add(second, entities, requests);
        account.Add(second, entities, requests);
        if (!tables.TryGetValue(table, out var totals))
        {
            totals = new TableTotals();
            tables[table] = totals;
        }

        totals.Requests += requests;
        totals.Entities += entities;
    }

    /// <summary>The partition with the highest entity rate in one second, and its figures.</summary>
    public (string Table, string Partition, Counter Counter) Hottest()
    {
        var hottest = partitions.MaxBy(p => (p.Value.PeakEntitiesPerSecond, p.Value.PeakRequestsPerSecond));
        return (hottest.Key.Table, hottest.Key.Partition, hottest.Value);
    }

    /// <summary>The hottest partition of each table.</summary>
    public IEnumerable<(string Table, string Partition, Counter Counter)> HottestPerTable() =>
        partitions.GroupBy(p => p.Key.Table).Select(g => g.MaxBy(p => (p.Value.PeakEntitiesPerSecond, p.Value.PeakRequestsPerSecond)))
            .Select(p => (p.Key.Table, p.Key.Partition, p.Value)).OrderBy(p => p.Table, StringComparer.Ordinal);

    public Counter Account => account;

    public IReadOnlyDictionary<string, TableTotals> Tables => tables;

    /// <summary>Requests and entities of one partition (or the account), with their busiest second.</summary>
    internal sealed class Counter
    {
        private long second = long.MinValue;
        private int requestsThisSecond;
        private int entitiesThisSecond;

        public long Requests { get; private set; }

        public long Entities { get; private set; }

        public int PeakRequestsPerSecond { get; private set; }

        public int PeakEntitiesPerSecond { get; private set; }

        /// <summary>Seconds in which this partition was asked for at least <see cref="PartitionTarget"/> entities.</summary>
        public long SecondsAtTarget { get; private set; }

        public void Add(long at, int entities, int requests)
        {
            if (at != second)
            {
                second = at;
                requestsThisSecond = 0;
                entitiesThisSecond = 0;
            }

            var below = entitiesThisSecond < PartitionTarget;
            Requests += requests;
            Entities += entities;
            requestsThisSecond += requests;
            entitiesThisSecond += entities;
            PeakRequestsPerSecond = Math.Max(PeakRequestsPerSecond, requestsThisSecond);
            PeakEntitiesPerSecond = Math.Max(PeakEntitiesPerSecond, entitiesThisSecond);
            if (below && entitiesThisSecond >= PartitionTarget)
            {
                SecondsAtTarget++;
            }
        }
    }

    internal sealed class TableTotals
    {
        public long Requests { get; set; }

        public long Entities { get; set; }
    }
}

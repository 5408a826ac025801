using System.Globalization;

namespace MoneyKitBridge.Simulation.Storage;

/// <summary>
/// The rows of the simulated Table service, in key order per partition. A table may have a seeder: a row it knows is
/// created on first touch (point read or write) exactly as if it had been inserted up front, so a million state rows do
/// not have to sit in memory before anything reads them (queries do not see rows not yet touched; the job never
/// queries those tables). Not thread-safe: <see cref="SimulatedTableTransport"/> serialises access.
/// </summary>
internal sealed class SimulatedTables
{
    private readonly Dictionary<string, Dictionary<string, Partition>> tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<string, string, Dictionary<string, object>?>> seeders = new(StringComparer.Ordinal);
    private long etagCounter;

    public void SetSeeder(string table, Func<string, string, Dictionary<string, object>?> seeder) => seeders[table] = seeder;

    /// <summary>Stores a row without a request (the initial data).</summary>
    public void Seed(string table, string partitionKey, string rowKey, Dictionary<string, object> properties, DateTimeOffset now) =>
        Put(table, new StoredEntity(partitionKey, rowKey, properties, NewETag(), now));

    public StoredEntity? Get(string table, string partitionKey, string rowKey, DateTimeOffset now)
    {
        Partition? partition = null;
        if (tables.TryGetValue(table, out var partitions) && partitions.TryGetValue(partitionKey, out partition) && partition.Rows.TryGetValue(rowKey, out var row))
        {
            return row;
        }

        if (partition is not null && partition.Deleted.Contains(rowKey))
        {
            return null;
        }

        if (seeders.TryGetValue(table, out var seeder) && seeder(partitionKey, rowKey) is { } properties)
        {
            var seeded = new StoredEntity(partitionKey, rowKey, properties, NewETag(), now);
            Put(table, seeded);
            return seeded;
        }

        return null;
    }

    public StoredEntity Put(string table, string partitionKey, string rowKey, Dictionary<string, object> properties, DateTimeOffset now)
    {
        var entity = new StoredEntity(partitionKey, rowKey, properties, NewETag(), now);
        Put(table, entity);
        return entity;
    }

    public bool Delete(string table, string partitionKey, string rowKey, DateTimeOffset now)
    {
        if (Get(table, partitionKey, rowKey, now) is null)
        {
            return false;
        }

        var partition = tables[table][partitionKey];
        partition.Rows.Remove(rowKey);
        partition.Keys.RemoveAt(partition.Keys.BinarySearch(rowKey, StringComparer.Ordinal));
        if (seeders.ContainsKey(table))
        {
            partition.Deleted.Add(rowKey);
        }

        return true;
    }

    /// <summary>
    /// One page of a query: up to <paramref name="top"/> matches, examining at most <paramref name="maxExamined"/> rows
    /// (the service stops a page after a time limit), from the continuation (<paramref name="fromPartition"/>,
    /// <paramref name="fromRow"/> inclusive) on. Returns the continuation of the next page, if any.
    /// </summary>
    public QueryPage Query(string table, ODataFilter filter, int top, int maxExamined, string? fromPartition, string? fromRow)
    {
        var matches = new List<StoredEntity>();
        var examined = 0;
        if (!tables.TryGetValue(table, out var partitions))
        {
            return new QueryPage(matches, examined, null, null);
        }

        IEnumerable<string> partitionKeys = filter.Partition is { } only
            ? (partitions.ContainsKey(only) ? [only] : [])
            : partitions.Keys.Order(StringComparer.Ordinal);
        foreach (var partitionKey in partitionKeys)
        {
            if (fromPartition is not null && string.CompareOrdinal(partitionKey, fromPartition) < 0)
            {
                continue;
            }

            var partition = partitions[partitionKey];
            var keys = partition.Keys;
            var first = 0;
            if (fromRow is not null && partitionKey == fromPartition)
            {
                first = keys.BinarySearch(fromRow, StringComparer.Ordinal);
                first = first < 0 ? ~first : first;
            }

            for (var i = first; i < keys.Count; i++)
            {
                if (matches.Count >= top || examined >= maxExamined)
                {
                    return new QueryPage(matches, examined, partitionKey, keys[i]);
                }

                examined++;
                var row = partition.Rows[keys[i]];
                if (filter.Predicate(row))
                {
                    matches.Add(row);
                }
            }
        }

        return new QueryPage(matches, examined, null, null);
    }

    /// <summary>Rows of a table (for reports; no request).</summary>
    public int Count(string table) => tables.TryGetValue(table, out var partitions) ? partitions.Values.Sum(p => p.Rows.Count) : 0;

    private void Put(string table, StoredEntity entity)
    {
        if (!tables.TryGetValue(table, out var partitions))
        {
            partitions = new Dictionary<string, Partition>(StringComparer.Ordinal);
            tables[table] = partitions;
        }

        if (!partitions.TryGetValue(entity.PartitionKey, out var partition))
        {
            partition = new Partition();
            partitions[entity.PartitionKey] = partition;
        }

        if (!partition.Rows.ContainsKey(entity.RowKey))
        {
            // Sorted insert: appending in key order (the seed) is O(1); the rare insert in the middle shifts the list.
            var at = partition.Keys.Count == 0 || string.CompareOrdinal(partition.Keys[^1], entity.RowKey) < 0
                ? partition.Keys.Count
                : ~partition.Keys.BinarySearch(entity.RowKey, StringComparer.Ordinal);
            partition.Keys.Insert(at, entity.RowKey);
        }

        partition.Rows[entity.RowKey] = entity;
    }

    private string NewETag() => "W/\"datetime'" + (++etagCounter).ToString(CultureInfo.InvariantCulture) + "'\"";

    private sealed class Partition
    {
        public Dictionary<string, StoredEntity> Rows { get; } = new(StringComparer.Ordinal);

        /// <summary>Row keys in ordinal order (a list: a SortedSet view recounts its whole range on every page).</summary>
        public List<string> Keys { get; } = [];

        /// <summary>Seeded rows that were deleted (so they are not seeded again).</summary>
        public HashSet<string> Deleted { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>A page of a query and where the next one starts (null: the last page).</summary>
internal sealed record QueryPage(List<StoredEntity> Matches, int Examined, string? NextPartition, string? NextRow);

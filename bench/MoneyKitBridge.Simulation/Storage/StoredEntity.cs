namespace MoneyKitBridge.Simulation.Storage;

/// <summary>One row of the simulated Table service: keys, typed properties, ETag and timestamp.</summary>
internal sealed class StoredEntity(string partitionKey, string rowKey, Dictionary<string, object> properties, string etag, DateTimeOffset timestamp)
{
    public string PartitionKey { get; } = partitionKey;

    public string RowKey { get; } = rowKey;

    /// <summary>Custom properties (string, bool, int, long, double, DateTimeOffset, Guid or byte[]).</summary>
    public Dictionary<string, object> Properties { get; } = properties;

    public string ETag { get; } = etag;

    public DateTimeOffset Timestamp { get; } = timestamp;

    /// <summary>The entity's JSON, made once (an entity never changes: a write stores a new one).</summary>
    public byte[] Json => json ??= EntityJson.Serialize(this);

    private byte[]? json;

    /// <summary>The property (or key) named <paramref name="name"/>, as the filter sees it.</summary>
    public bool TryGet(string name, out object value)
    {
        switch (name)
        {
            case "PartitionKey":
                value = PartitionKey;
                return true;
            case "RowKey":
                value = RowKey;
                return true;
            case "Timestamp":
                value = Timestamp;
                return true;
            default:
                return Properties.TryGetValue(name, out value!);
        }
    }
}

using System.Collections;
using Azure;

namespace MoneyKitBridge.TableStorage;

/// <summary>
/// One entity: keys, ETag, timestamp and typed properties. Values may be <see cref="string"/>, <see cref="int"/>,
/// <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="DateTimeOffset"/>, <see cref="Guid"/>
/// and <see cref="byte"/>[]; each round-trips with its Edm type.
/// </summary>
public sealed class TableEntity : IEnumerable<KeyValuePair<string, object>>
{
    private readonly Dictionary<string, object> properties = new(StringComparer.Ordinal);

    /// <summary>Creates an entity with the given keys.</summary>
    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    /// <summary>The partition key.</summary>
    public string PartitionKey { get; }

    /// <summary>The row key.</summary>
    public string RowKey { get; }

    /// <summary>The entity's ETag as read (default when not read from the service).</summary>
    public ETag ETag { get; set; }

    /// <summary>Server-managed last-modified time (read only; never written).</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>Custom property names.</summary>
    public IEnumerable<string> Keys => properties.Keys;

    /// <summary>Number of custom properties.</summary>
    public int Count => properties.Count;

    /// <summary>Gets or sets a property; setting null removes it.</summary>
    public object? this[string name]
    {
        get => properties.GetValueOrDefault(name);
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (value is null)
            {
                properties.Remove(name);
                return;
            }

            properties[name] = value switch
            {
                string or int or long or double or bool or DateTimeOffset or Guid or byte[] => value,
                DateTime dt => new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime()),
                _ => throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType().Name}.", nameof(value)),
            };
        }
    }

    /// <summary>A copy with the same keys, properties, ETag and timestamp (values are immutable or copied by reference).</summary>
    public TableEntity Clone()
    {
        var copy = new TableEntity(PartitionKey, RowKey) { ETag = ETag, Timestamp = Timestamp };
        foreach (var (name, value) in properties)
        {
            copy.properties[name] = value;
        }

        return copy;
    }

    /// <summary>True when the property is present.</summary>
    public bool ContainsKey(string name) => properties.ContainsKey(name);

    /// <summary>A string property or null.</summary>
    public string? GetString(string name) => properties.GetValueOrDefault(name) as string;

    /// <summary>An Int32 property or null.</summary>
    public int? GetInt32(string name) => properties.GetValueOrDefault(name) is int v ? v : null;

    /// <summary>An Int64 property (an Int32 widens) or null.</summary>
    public long? GetInt64(string name) => properties.GetValueOrDefault(name) switch
    {
        long v => v,
        int v => v,
        _ => null,
    };

    /// <summary>A Double property (Int32 widens) or null.</summary>
    public double? GetDouble(string name) => properties.GetValueOrDefault(name) switch
    {
        double v => v,
        int v => v,
        _ => null,
    };

    /// <summary>A Boolean property or null.</summary>
    public bool? GetBoolean(string name) => properties.GetValueOrDefault(name) is bool v ? v : null;

    /// <summary>A DateTime property or null.</summary>
    public DateTimeOffset? GetDateTimeOffset(string name) => properties.GetValueOrDefault(name) is DateTimeOffset v ? v : null;

    /// <summary>A Guid property or null.</summary>
    public Guid? GetGuid(string name) => properties.GetValueOrDefault(name) is Guid v ? v : null;

    /// <summary>A Binary property or null.</summary>
    public byte[]? GetBinary(string name) => properties.GetValueOrDefault(name) as byte[];

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Adds a property (collection-initializer support).</summary>
    public void Add(string name, object value) => this[name] = value;
}

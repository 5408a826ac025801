using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>Writing row properties the way every row type of ours does: a null value is no property at all.</summary>
internal static class EntityProperties
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>, or leaves it out when null.</summary>
    public static TableEntity Put(this TableEntity entity, string name, object? value)
    {
        if (value is null)
        {
            entity.Remove(name);
        }
        else
        {
            entity[name] = value;
        }

        return entity;
    }

    /// <summary>The custom properties (no keys, timestamp or ETag).</summary>
    public static IEnumerable<KeyValuePair<string, object>> Custom(this TableEntity entity) =>
        entity.Where(p => p.Value is not null && p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"));
}

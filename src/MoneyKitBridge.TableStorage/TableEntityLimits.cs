using Azure;

namespace MoneyKitBridge.TableStorage;

/// <summary>
/// The service's entity limits, checked before sending so that every backend (Azure and Azurite, which measures
/// differently) refuses the same entities with the same typed error: at most 1 MiB by the service's size formula
/// (UTF-16 strings), 252 custom properties, strings of at most 32 K characters and binaries of at most 64 KiB.
/// </summary>
internal static class TableEntityLimits
{
    public const int MaxEntityBytes = 1024 * 1024;
    public const int MaxProperties = 252;
    public const int MaxStringChars = 32 * 1024;
    public const int MaxBinaryBytes = 64 * 1024;

    public static void Validate(TableEntity entity)
    {
        if (entity.Count > MaxProperties)
        {
            throw new RequestFailedException(400, $"An entity may have at most {MaxProperties} custom properties; this one has {entity.Count}.", "TooManyProperties", null);
        }

        long size = 4 + (2L * entity.PartitionKey.Length) + 4 + (2L * entity.RowKey.Length) + 4;
        foreach (var (name, value) in entity)
        {
            size += 8 + (2L * name.Length) + value switch
            {
                string s when s.Length > MaxStringChars => throw new RequestFailedException(400, $"Property '{name}' has {s.Length} characters; the limit is {MaxStringChars}.", "PropertyValueTooLarge", null),
                byte[] b when b.Length > MaxBinaryBytes => throw new RequestFailedException(400, $"Property '{name}' has {b.Length} bytes; the limit is {MaxBinaryBytes}.", "PropertyValueTooLarge", null),
                string s => 4 + (2L * s.Length),
                byte[] b => 4 + b.Length,
                bool => 1,
                int => 4,
                Guid => 16,
                _ => 8,
            };
        }

        if (size > MaxEntityBytes)
        {
            throw new RequestFailedException(400, $"The entity is about {size} bytes; the limit is {MaxEntityBytes}.", "EntityTooLarge", null);
        }
    }
}

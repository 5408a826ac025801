using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace MoneyKitBridge.Simulation.Storage;

/// <summary>Entities as the Table service's JSON (<c>odata=minimalmetadata</c>, with <c>@odata.type</c> annotations).</summary>
internal static class EntityJson
{
    private const string TypeSuffix = "@odata.type";

    /// <summary>The keys and typed custom properties of a request body.</summary>
    public static (string? PartitionKey, string? RowKey, Dictionary<string, object> Properties) Read(ReadOnlySpan<byte> body)
    {
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(body.ToArray());
        string? partitionKey = null, rowKey = null;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var name = property.Name;
            if (name.StartsWith("odata.", StringComparison.Ordinal) || name.EndsWith(TypeSuffix, StringComparison.Ordinal) || name == "Timestamp")
            {
                continue;
            }

            if (name == "PartitionKey")
            {
                partitionKey = property.Value.GetString();
                continue;
            }

            if (name == "RowKey")
            {
                rowKey = property.Value.GetString();
                continue;
            }

            var type = document.RootElement.TryGetProperty(name + TypeSuffix, out var t) ? t.GetString() : null;
            if (ValueOf(property.Value, type) is { } value)
            {
                properties[name] = value;
            }
        }

        return (partitionKey, rowKey, properties);
    }

    public static void Write(Utf8JsonWriter writer, StoredEntity entity)
    {
        writer.WriteStartObject();
        writer.WriteString("odata.etag", entity.ETag);
        writer.WriteString("PartitionKey", entity.PartitionKey);
        writer.WriteString("RowKey", entity.RowKey);
        writer.WriteString("Timestamp" + TypeSuffix, "Edm.DateTime");
        writer.WriteString("Timestamp", Format(entity.Timestamp));
        foreach (var (name, value) in entity.Properties)
        {
            switch (value)
            {
                case string s:
                    writer.WriteString(name, s);
                    break;
                case bool b:
                    writer.WriteBoolean(name, b);
                    break;
                case int i:
                    writer.WriteNumber(name, i);
                    break;
                case long l:
                    writer.WriteString(name + TypeSuffix, "Edm.Int64");
                    writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                    break;
                case double d:
                    writer.WriteString(name + TypeSuffix, "Edm.Double");
                    writer.WriteNumber(name, d);
                    break;
                case DateTimeOffset at:
                    writer.WriteString(name + TypeSuffix, "Edm.DateTime");
                    writer.WriteString(name, Format(at));
                    break;
                case Guid g:
                    writer.WriteString(name + TypeSuffix, "Edm.Guid");
                    writer.WriteString(name, g.ToString());
                    break;
                case byte[] bytes:
                    writer.WriteString(name + TypeSuffix, "Edm.Binary");
                    writer.WriteBase64String(name, bytes);
                    break;
                default:
                    throw new NotSupportedException($"Property {name} has an unsupported type {value.GetType()}.");
            }
        }

        writer.WriteEndObject();
    }

    public static byte[] Serialize(StoredEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, entity);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    private static object? ValueOf(JsonElement value, string? type) => type switch
    {
        "Edm.DateTime" => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        "Edm.Int64" => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        "Edm.Int32" => value.ValueKind == JsonValueKind.String ? int.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt32(),
        "Edm.Double" => value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble(),
        "Edm.Guid" => Guid.Parse(value.GetString()!),
        "Edm.Binary" => value.GetBytesFromBase64(),
        "Edm.Boolean" => value.GetBoolean(),
        _ => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var i) => i,
            JsonValueKind.Number => value.GetDouble(),
            _ => null,
        },
    };
}

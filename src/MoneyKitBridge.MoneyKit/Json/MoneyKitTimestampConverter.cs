using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>
/// Reads an ISO-8601 timestamp; one without an offset (<c>2023-02-16T09:14:11</c>, as MoneyKit's examples show)
/// or a bare date is taken as UTC. Writes ISO-8601 with its offset.
/// </summary>
internal sealed class MoneyKitTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String
            && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var value))
        {
            return value;
        }

        throw new JsonException("Expected an ISO-8601 timestamp.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.Offset == TimeSpan.Zero)
        {
            writer.WriteStringValue(value.UtcDateTime); // "...Z", as MoneyKit writes UTC instants
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>Reads a MoneyKit amount from a JSON string (<c>"384.05"</c>) or number (<c>384.05</c>); writes a string.</summary>
internal sealed class MoneyKitAmountConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.GetDecimal();
        }

        if (reader.TokenType == JsonTokenType.String
            && decimal.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new JsonException("Expected an amount as a JSON number or a numeric string.");
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }
}

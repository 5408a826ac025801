using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>
/// Reads a date as <c>YYYY-MM-DD</c> or as a date-time (<c>2023-02-16T00:00:00</c>, as some MoneyKit examples
/// show), keeping the date as written; writes <c>YYYY-MM-DD</c>.
/// </summary>
internal sealed class MoneyKitDateConverter : JsonConverter<DateOnly>
{
    public override DateOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (text is not null)
        {
            var datePart = text.Length > 10 && text[10] is 'T' or 't' or ' ' ? text[..10] : text;
            if (DateOnly.TryParseExact(datePart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return date;
            }
        }

        throw new JsonException("Expected a date as YYYY-MM-DD.");
    }

    public override void Write(Utf8JsonWriter writer, DateOnly value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }
}

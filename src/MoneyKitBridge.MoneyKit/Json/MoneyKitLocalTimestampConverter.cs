using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>
/// Timestamps MoneyKit writes without an offset (a transaction's <c>datetime</c>: <c>2023-02-16T09:14:11</c>): read as UTC, written back in the same offset-less form.
/// </summary>
internal sealed class MoneyKitLocalTimestampConverter : JsonConverter<DateTimeOffset>
{
    private static readonly MoneyKitTimestampConverter Reader = new();

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Reader.Read(ref reader, typeToConvert, options);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
    }
}

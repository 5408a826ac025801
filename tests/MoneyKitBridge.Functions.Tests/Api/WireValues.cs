using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// Compares MoneyKit's answer with the app's value by value. Strict on field names, strings, booleans, nulls,
/// numbers and order, with two tolerances that are the bridge's known wire-format deviations (reported to the lead,
/// see the Api README): timestamps are compared as instants (MoneyKit writes <c>2026-01-05T09:05:16</c> or
/// <c>...Z</c>, the bridge re-serialises them as <c>...+00:00</c>), and balances are compared as decimals (MoneyKit
/// sends numbers, the bridge strings). The link's <c>last_synced_at</c> is a bridge addition and ignored.
/// </summary>
public static class WireValues
{
    private static readonly string[] TimestampFormats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    public static JsonNode? Normalize(JsonElement element) => Normalize(JsonNode.Parse(element.GetRawText()), parent: null);

    public static bool Same(JsonElement expected, JsonElement actual) =>
        JsonNode.DeepEquals(Normalize(expected), Normalize(actual));

    public static string Show(JsonElement element) => Normalize(element)?.ToJsonString() ?? "null";

    private static JsonNode? Normalize(JsonNode? node, string? parent)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (name, value) in obj)
                {
                    if (name == "last_synced_at" && obj.ContainsKey("link_id"))
                    {
                        continue;
                    }

                    copy[name] = Normalize(value?.DeepClone(), name);
                }

                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(item => Normalize(item?.DeepClone(), parent))]);
            case JsonValue value when parent is "available" or "current" or "limit" && AsDecimal(value) is { } number:
                return JsonValue.Create(number.ToString("0.00##########", CultureInfo.InvariantCulture));
            case JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: >= 19 } text && text[10] == 'T'
                && DateTimeOffset.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant):
                return JsonValue.Create("instant:" + instant.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            default:
                return node;
        }
    }

    private static decimal? AsDecimal(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.Number => value.GetValue<decimal>(),
        JsonValueKind.String when decimal.TryParse(value.GetValue<string>(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };
}

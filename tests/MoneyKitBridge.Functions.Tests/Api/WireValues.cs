using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// Compares MoneyKit's answer with the app's value by value, strictly: field names, strings (timestamps included,
/// in MoneyKit's own formats), numbers, booleans and nulls. Property order inside objects does not matter.
/// </summary>
public static class WireValues
{
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
                    copy[name] = Normalize(value?.DeepClone(), name);
                }

                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(item => Normalize(item?.DeepClone(), parent))]);
            default:
                return node;
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoneyKitBridge.Functions.LinkProducts;

/// <summary>
/// Reshapes stored account numbers (2023-02-18: <c>numbers</c> on each account) into 2023-12-14's
/// <c>GetAccountNumbersResponse</c>: the accounts without <c>numbers</c>, and one top-level <c>numbers</c> whose lists
/// (<c>ach</c>, <c>bacs</c>, <c>eft</c>, <c>international</c>) hold every account's entries, each naming its <c>account_id</c>.
/// </summary>
internal static class AccountNumbersShape
{
    private static readonly string[] Kinds = ["ach", "bacs", "eft", "international"];

    /// <summary>Writes the <c>accounts</c> and <c>numbers</c> properties of the 2023-12-14 answer.</summary>
    public static void WriteTopLevel(Utf8JsonWriter writer, IEnumerable<string> storedAccounts)
    {
        var lists = Kinds.ToDictionary(k => k, _ => new JsonArray(), StringComparer.Ordinal);
        writer.WriteStartArray("accounts");
        foreach (var json in storedAccounts)
        {
            var account = JsonNode.Parse(json)!.AsObject();
            account.Remove("numbers", out var numbers);
            var accountId = account["account_id"]?.DeepClone();
            if (numbers is JsonObject byKind)
            {
                foreach (var (kind, list) in lists)
                {
                    foreach (var entry in (byKind[kind] as JsonArray ?? []).OfType<JsonObject>())
                    {
                        var named = new JsonObject { ["account_id"] = accountId?.DeepClone() };
                        foreach (var (name, value) in entry.Where(p => p.Key != "account_id"))
                        {
                            named[name] = value?.DeepClone();
                        }

                        list.Add(named);
                    }
                }
            }

            account.WriteTo(writer);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("numbers");
        foreach (var kind in Kinds)
        {
            writer.WritePropertyName(kind);
            lists[kind].WriteTo(writer);
        }

        writer.WriteEndObject();
    }
}

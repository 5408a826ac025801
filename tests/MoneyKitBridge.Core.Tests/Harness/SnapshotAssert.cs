using System.Globalization;
using System.Text.Json;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Tests.Harness;

/// <summary>Compares the bridge's stored transactions with MoneyKit's list, field for field.</summary>
public static class SnapshotAssert
{
    public static async Task StoredEqualsUpstreamAsync(BridgeHarness harness, string linkId)
    {
        var upstream = await harness.UpstreamTransactionsAsync(linkId);
        var snapshot = await harness.Reader.GetAsync(linkId);
        Assert.NotNull(snapshot);

        var stored = snapshot.Transactions.ToDictionary(t => t.TransactionId);
        Assert.Equal(upstream.Count, stored.Count);
        foreach (var expected in upstream)
        {
            var id = expected.GetProperty("transaction_id").GetString()!;
            Assert.True(stored.TryGetValue(id, out var row), $"transaction {id} is missing from the snapshot");
            using var actual = JsonDocument.Parse(row.Json);
            AssertSameFields(expected, actual.RootElement, id);
            Assert.Equal(expected.GetProperty("pending").GetBoolean(), row.Pending);
            Assert.Equal(expected.GetProperty("account_id").GetString(), row.AccountId);
        }
    }

    /// <summary>Every field MoneyKit sent is stored with the same value (amounts compared as decimals).</summary>
    private static void AssertSameFields(JsonElement expected, JsonElement actual, string id)
    {
        foreach (var property in expected.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                if (actual.TryGetProperty(property.Name, out var maybe))
                {
                    Assert.Equal(JsonValueKind.Null, maybe.ValueKind);
                }

                continue;
            }

            Assert.True(actual.TryGetProperty(property.Name, out var value), $"{id}: field {property.Name} was not stored");
            if (property.Name == "amount")
            {
                Assert.Equal(Decimal(property.Value), Decimal(value));
            }
            else if (property.Name == "datetime")
            {
                Assert.Equal(DateTimeOffset.Parse(property.Value.GetString()!, CultureInfo.InvariantCulture), DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture));
            }
            else if (property.Value.ValueKind == JsonValueKind.Object)
            {
                AssertSameFields(property.Value, value, id);
            }
            else
            {
                Assert.True(JsonElement.DeepEquals(property.Value, value), $"{id}: field {property.Name} is {value} but MoneyKit says {property.Value}");
            }
        }
    }

    private static decimal Decimal(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? decimal.Parse(e.GetString()!, CultureInfo.InvariantCulture) : e.GetDecimal();

    public static MoneyKitLink Link(JsonElement json) => json.Deserialize(MoneyKitJsonContext.Default.MoneyKitLink)!;
}

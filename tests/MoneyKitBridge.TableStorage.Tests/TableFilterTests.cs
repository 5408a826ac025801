using MoneyKitBridge.TableStorage;

namespace MoneyKitBridge.TableStorage.Tests;

public sealed class TableFilterTests
{
    [Fact]
    public void Values_become_typed_literals_and_quotes_are_doubled()
    {
        var when = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        var filter = TableFilter.Create(
            $"PartitionKey eq {"o'clock' or 1 eq 1"} and N gt {42L} and I eq {7} and B eq {true} and T ge {when} and G eq {id} and X eq {new byte[] { 0x0A, 0xFF }} and D lt {1.5}");

        Assert.Equal(
            "PartitionKey eq 'o''clock'' or 1 eq 1' and N gt 42L and I eq 7 and B eq true and T ge datetime'2024-01-02T01:04:05.0000000Z' and G eq guid'0f8fad5b-d9cb-469f-a165-70867728950e' and X eq X'0aff' and D lt 1.5",
            filter);
    }

    [Fact]
    public void Unsupported_values_are_refused_rather_than_formatted()
    {
        Assert.Throws<ArgumentException>(() => TableFilter.Create($"A eq {new object()}"));
    }

    [Fact]
    public void Prefix_ranges_cover_exactly_the_prefix()
    {
        Assert.Equal("RowKey ge 'tx_' and RowKey lt 'tx`'", TableFilter.StartsWith("RowKey", "tx_"));
    }
}

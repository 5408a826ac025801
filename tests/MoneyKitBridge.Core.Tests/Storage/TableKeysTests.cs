using Azure.Data.Tables;
using FsCheck;
using FsCheck.Fluent;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Tests.Storage;

public sealed class TableKeysTests(AzuriteTable fixture) : IClassFixture<AzuriteTable>
{
    [Theory]
    [InlineData("mk_link_123", "mk_link_123")]
    [InlineData("user/1#?", "user~2F1~23~3F")]
    [InlineData("é", "~C3~A9")]
    [InlineData("a~b", "a~7Eb")]
    public void Encode_EscapesWhatKeysForbid_AndDecodes(string value, string expected)
    {
        Assert.Equal(expected, TableKeys.Encode(value));
        Assert.Equal(expected, TableKeys.ForValue(value));
        Assert.Equal(value, TableKeys.Decode(expected));
    }

    [Fact]
    public void ForValue_AnyText_IsAValidKeyThatFitsWithAPrefix_AndShortTextRoundTrips()
    {
        Prop.ForAll<NonNull<string>>(text =>
        {
            var value = text.Get;
            if (value.Any(char.IsSurrogate) && !IsWellFormed(value))
            {
                return true; // lone surrogates are not text; JSON readers refuse them before they reach a key
            }

            var key = TableKeys.ForValue(value);
            var fits = key.Length <= TableKeys.MaxEncodedLength && TableKeys.IsValidKey(LinkRows.EventPrefix + key);
            var safe = key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~');
            return fits && safe && (TableKeys.IsHashed(key) || TableKeys.Decode(key) == value);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void ForValue_LongValues_AreHashed_Deterministically_AndNeverCollideWithAnEncoding()
    {
        var euros = new string('€', 200); // 1,800 characters encoded
        var key = TableKeys.ForValue(euros);

        Assert.StartsWith(TableKeys.HashedPrefix, key, StringComparison.Ordinal);
        Assert.Equal(key, TableKeys.ForValue(euros));
        Assert.NotEqual(key, TableKeys.ForValue(new string('€', 199) + "$"));
        Assert.NotEqual(key, TableKeys.ForValue(key)); // a value that looks like a hash is encoded, not taken as is
        Assert.Throws<FormatException>(() => TableKeys.Decode(key));
        Assert.Equal(new string('a', TableKeys.MaxEncodedLength), TableKeys.ForValue(new string('a', TableKeys.MaxEncodedLength)));
    }

    [Fact]
    public void Decode_TruncatedEscape_Refused() => Assert.Throws<FormatException>(() => TableKeys.Decode("abc~4"));

    [Fact]
    public async Task Keys_FromOutsideValues_WorkForWritesPointReadsAndQueries_OnAzurite()
    {
        var partition = LinkRows.Partition(new string('€', 300) + "/link#1");
        string[] values = ["it's", "user/1#?x", "a b+c%d", "ünï", new string('€', 200), "\u0007bell", new string('x', 600)];
        foreach (var value in values)
        {
            await fixture.Table.AddCheckedAsync(new TableEntity(partition, LinkRows.Event(value)) { ["K"] = value });
        }

        foreach (var value in values)
        {
            var row = await fixture.GetAsync(partition, LinkRows.Event(value));
            Assert.Equal(value, row!.GetString("K"));
            var matches = await fixture.Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey eq {LinkRows.Event(value)}")).ToListAsync();
            Assert.Equal(value, Assert.Single(matches).GetString("K"));
        }

        Assert.Equal(values.Length, (await fixture.Table.QueryAsync<TableEntity>(LinkRows.KindFilter(partition, LinkRows.EventPrefix)).ToListAsync()).Count);
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}

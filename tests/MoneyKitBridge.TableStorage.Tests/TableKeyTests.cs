using FsCheck;
using FsCheck.Fluent;
using MoneyKitBridge.TableStorage;

namespace MoneyKitBridge.TableStorage.Tests;

public sealed class TableKeyTests
{
    [Theory]
    [InlineData("mk_link_123", "mk_link_123")]
    [InlineData("user/1#?", "user~2F1~23~3F")]
    [InlineData("é", "~C3~A9")]
    [InlineData("a~b", "a~7Eb")]
    public void Encoding_is_readable_and_escapes_what_table_keys_forbid(string value, string expected)
    {
        Assert.Equal(expected, TableKey.Encode(value));
        Assert.Equal(value, TableKey.Decode(expected));
    }

    [Fact]
    public void Any_text_round_trips_and_never_contains_a_forbidden_character()
    {
        Prop.ForAll<NonNull<string>>(text =>
        {
            var value = text.Get;
            if (value.Any(char.IsSurrogate) && !IsWellFormed(value))
            {
                return true; // lone surrogates are not text; keys come from JSON strings, which cannot carry them
            }

            var key = TableKey.Encode(value);
            return TableKey.Decode(key) == value && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~');
        }).QuickCheckThrowOnFailure();
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

    [Fact]
    public void Truncated_escapes_are_rejected()
    {
        Assert.Throws<FormatException>(() => TableKey.Decode("abc~4"));
    }
}

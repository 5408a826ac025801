using System.Text;

namespace MoneyKitBridge.TableStorage;

/// <summary>
/// Reversible encoding of arbitrary text into a safe PartitionKey/RowKey: ASCII letters, digits, <c>-</c>,
/// <c>_</c> and <c>.</c> stay as they are; every other UTF-8 byte becomes <c>~XX</c> (upper-case hex). The
/// result never contains the forbidden <c>/ \ # ?</c> or control characters, nor characters that URL paths
/// treat specially.
/// </summary>
public static class TableKey
{
    /// <summary>Encodes <paramref name="value"/> as a key.</summary>
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.All(IsPlain))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.IsAscii && IsPlain((char)rune.Value))
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('~').Append(Convert.ToHexString([b]));
            }
        }

        return builder.ToString();
    }

    /// <summary>Decodes a key made by <see cref="Encode"/>.</summary>
    public static string Decode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.Contains('~', StringComparison.Ordinal))
        {
            return key;
        }

        var bytes = new List<byte>(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] == '~' && i + 2 < key.Length)
            {
                bytes.Add(Convert.FromHexString(key.AsSpan(i + 1, 2))[0]);
                i += 2;
            }
            else if (key[i] == '~')
            {
                throw new FormatException("The key has a truncated escape sequence.");
            }
            else
            {
                bytes.Add((byte)key[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}

using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// How outside values (link, account, transaction and customer user ids, webhook idempotency keys, product names)
/// become PartitionKey/RowKey text. <see cref="Encode"/> is reversible: ASCII letters, digits, <c>-</c>, <c>_</c> and
/// <c>.</c> stay as they are; every other UTF-8 byte becomes <c>~XX</c> (upper-case hex), so a key never holds the
/// forbidden <c>/ \ # ?</c> or control characters. <see cref="ForValue"/> is what callers use: the encoding, or — when
/// that would be longer than <see cref="MaxEncodedLength"/> — <c>~sha256~</c> and the SHA-256 of the value, so that
/// every key derived from outside input fits Table Storage's 1 KiB key limit together with a row-kind prefix.
/// The hashed form can never be the encoding of another value (<see cref="Encode"/> only writes <c>~</c> before two
/// hex digits).
/// </summary>
public static class TableKeys
{
    /// <summary>
    /// Longest encoded value used as is. Keys are limited to 1 KiB (512 UTF-16 characters); our keys are ASCII and
    /// the longest row-kind prefix is a few characters, so 400 leaves room to spare.
    /// </summary>
    public const int MaxEncodedLength = 400;

    /// <summary>Longest key the service accepts, in characters (1 KiB of UTF-16).</summary>
    public const int MaxKeyLength = 512;

    /// <summary>Start of a hashed key.</summary>
    public const string HashedPrefix = "~sha256~";

    /// <summary>The key text of an outside value: its encoding, or its hash when the encoding is too long.</summary>
    public static string ForValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var encoded = Encode(value);
        return encoded.Length <= MaxEncodedLength
            ? encoded
            : HashedPrefix + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }

    /// <summary>True when <paramref name="key"/> was made by hashing (the value cannot be decoded from it).</summary>
    public static bool IsHashed(string key) => key.StartsWith(HashedPrefix, StringComparison.Ordinal);

    /// <summary>Reversible encoding of <paramref name="value"/> (any length; see <see cref="ForValue"/> for keys).</summary>
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

    /// <summary>Decodes a key made by <see cref="Encode"/>; throws <see cref="FormatException"/> for a hashed or malformed key.</summary>
    public static string Decode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.Contains('~', StringComparison.Ordinal))
        {
            return key;
        }

        if (IsHashed(key))
        {
            throw new FormatException("A hashed key cannot be decoded.");
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

    /// <summary>True when the service accepts <paramref name="key"/> as a PartitionKey or RowKey.</summary>
    public static bool IsValidKey(string? key) =>
        key is not null && key.Length <= MaxKeyLength && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    /// <summary>Filter of the rows of one partition.</summary>
    public static string PartitionFilter(string partition) => TableClient.CreateQueryFilter($"PartitionKey eq {partition}");

    /// <summary>Filter of the rows whose <c>RowKey</c> starts with <paramref name="prefix"/> (a key range).</summary>
    public static string RowKeyPrefixFilter(string prefix) =>
        TableClient.CreateQueryFilter($"RowKey ge {prefix} and RowKey lt {PrefixUpperBound(prefix)}");

    /// <summary>The first key after every key that starts with <paramref name="prefix"/> (its last character moved up by one).</summary>
    public static string PrefixUpperBound(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var upper = new StringBuilder(prefix);
        upper[^1] = (char)(upper[^1] + 1);
        return upper.ToString();
    }

    /// <summary>Filter of the rows of one partition with <paramref name="lower"/> &lt;(=) <c>RowKey</c> &lt; <paramref name="upperExclusive"/>.</summary>
    public static string RangeFilter(string partition, string lower, bool lowerInclusive, string upperExclusive) =>
        PartitionFilter(partition) + " and " + (lowerInclusive
            ? TableClient.CreateQueryFilter($"RowKey ge {lower} and RowKey lt {upperExclusive}")
            : TableClient.CreateQueryFilter($"RowKey gt {lower} and RowKey lt {upperExclusive}"));

    /// <summary>Filter of the rows of one partition whose row key starts with <paramref name="prefix"/>.</summary>
    public static string KindFilter(string partition, string prefix) => PartitionFilter(partition) + " and " + RowKeyPrefixFilter(prefix);

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}

using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace MoneyKitBridge.Core.Queries;

/// <summary>
/// The opaque <c>cursor.next</c> of the bridge's change feed: base64url of a format version, a check value over the link
/// id and the position, the feed sequence and the last transaction id. Holds no state of any process, so it survives
/// restarts and works on every instance; a cursor edited, cut or taken from another link fails its check.
/// </summary>
public static class FeedCursor
{
    /// <summary>Longest cursor accepted (a transaction id is far shorter).</summary>
    public const int MaxLength = 1024;

    private const byte FormatVersion = 1;
    private const int CheckBytes = 8;
    private const int HeaderBytes = 1 + CheckBytes + sizeof(long);

    public static string Encode(string linkId, FeedPosition position)
    {
        ArgumentNullException.ThrowIfNull(linkId);
        var id = Encoding.UTF8.GetBytes(position.LastTransactionId ?? string.Empty);
        var bytes = new byte[HeaderBytes + id.Length];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1 + CheckBytes), position.Sequence);
        id.CopyTo(bytes, HeaderBytes);
        Check(linkId, bytes).CopyTo(bytes, 1);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads a cursor this bridge issued for <paramref name="linkId"/>; false for anything else.</summary>
    public static bool TryDecode(string? cursor, string linkId, [NotNullWhen(true)] out FeedPosition? position)
    {
        ArgumentNullException.ThrowIfNull(linkId);
        position = null;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > MaxLength)
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return false;
        }

        if (bytes.Length < HeaderBytes || bytes[0] != FormatVersion || !Check(linkId, bytes).AsSpan().SequenceEqual(bytes.AsSpan(1, CheckBytes)))
        {
            return false;
        }

        var sequence = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1 + CheckBytes));
        string id;
        try
        {
            id = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, HeaderBytes, bytes.Length - HeaderBytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        if (sequence < -1 || (sequence < 0 && id.Length > 0))
        {
            return false;
        }

        position = new FeedPosition(sequence, id.Length == 0 ? null : id);
        return true;
    }

    /// <summary>The check value: the first bytes of SHA-256 over the link id and everything but the check itself.</summary>
    private static byte[] Check(string linkId, byte[] cursor)
    {
        var link = Encoding.UTF8.GetBytes("moneykit-bridge/feed/" + linkId + "\n");
        var input = new byte[link.Length + cursor.Length - 1 - CheckBytes];
        link.CopyTo(input, 0);
        cursor.AsSpan(1 + CheckBytes).CopyTo(input.AsSpan(link.Length));
        return SHA256.HashData(input)[..CheckBytes];
    }
}

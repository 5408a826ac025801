using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace MoneyKitBridge.Functions.Transactions;

/// <summary>
/// The opaque <c>cursor.next</c> of a link's cursor-paged transaction list (2023-12-14): base64url of a format version,
/// a check value over the link id and the offset, and the offset into the query's matches (newest first). Holds no state
/// of any process; a cursor edited, cut or taken from another link (or from the change feed) fails its check.
/// </summary>
public static class TransactionListCursor
{
    private const byte FormatVersion = 1;
    private const int CheckBytes = 8;
    private const int Length = 1 + CheckBytes + sizeof(int);
    private const int MaxTextLength = 64;

    public static string Encode(string linkId, int offset)
    {
        ArgumentNullException.ThrowIfNull(linkId);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var bytes = new byte[Length];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1 + CheckBytes), offset);
        Check(linkId, bytes).CopyTo(bytes, 1);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads a cursor this bridge issued for <paramref name="linkId"/>'s list; false for anything else.</summary>
    public static bool TryDecode(string? cursor, string linkId, out int offset)
    {
        ArgumentNullException.ThrowIfNull(linkId);
        offset = 0;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > MaxTextLength)
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

        if (bytes.Length != Length || bytes[0] != FormatVersion || !Check(linkId, bytes).AsSpan().SequenceEqual(bytes.AsSpan(1, CheckBytes)))
        {
            return false;
        }

        offset = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1 + CheckBytes));
        return offset >= 0;
    }

    private static byte[] Check(string linkId, byte[] cursor)
    {
        var link = Encoding.UTF8.GetBytes("moneykit-bridge/list/" + linkId + "\n");
        var input = new byte[link.Length + sizeof(int)];
        link.CopyTo(input, 0);
        cursor.AsSpan(1 + CheckBytes).CopyTo(input.AsSpan(link.Length));
        return SHA256.HashData(input)[..CheckBytes];
    }
}

using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace MoneyKit.Sandbox.Transactions;

/// <summary>Opaque sync cursor: the last change sequence a client has seen on one link.</summary>
internal static class SyncCursor
{
    public static string Encode(string linkId, long sequence) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"v1:{linkId}:{sequence}")));

    public static bool TryDecode(string cursor, string linkId, out long sequence)
    {
        sequence = 0;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':');
            return parts.Length == 3 && parts[0] == "v1" && parts[1] == linkId
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

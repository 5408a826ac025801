using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace MoneyKit.Sandbox.Transactions;

/// <summary>
/// The opaque <c>cursor</c> of a transaction list (2023-12-14 and later): the link and how many matching transactions
/// came before the page. No cursor means the first page.
/// </summary>
internal static class ListCursor
{
    public static string Encode(string linkId, int offset) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"list1:{linkId}:{offset}")));

    public static bool TryDecode(string? cursor, string linkId, out int offset)
    {
        offset = 0;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':');
            return parts.Length == 3 && parts[0] == "list1" && parts[1] == linkId
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

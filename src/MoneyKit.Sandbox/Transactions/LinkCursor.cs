using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace MoneyKit.Sandbox.Transactions;

/// <summary>
/// The sandbox's opaque cursors: a kind, the link and a position on it — the last change sequence a client has seen
/// (<see cref="Sync"/>), or how many matching transactions came before a list page (<see cref="List"/>, 2023-12-14 and later).
/// </summary>
internal static class LinkCursor
{
    public const string Sync = "v1";
    public const string List = "list1";

    /// <summary>
    /// The kind of the sync cursors of a link whose cursors were expired <paramref name="epoch"/> times: <see cref="Sync"/>
    /// until the first expiry, so a cursor of an earlier epoch no longer decodes.
    /// </summary>
    public static string SyncKind(int epoch) =>
        epoch == 0 ? Sync : string.Create(CultureInfo.InvariantCulture, $"{Sync}e{epoch}");

    public static string Encode(string kind, string linkId, long position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{kind}:{linkId}:{position}")));

    public static bool TryDecode(string cursor, string kind, string linkId, out long position)
    {
        position = 0;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':');
            return parts.Length == 3 && parts[0] == kind && parts[1] == linkId
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out position);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

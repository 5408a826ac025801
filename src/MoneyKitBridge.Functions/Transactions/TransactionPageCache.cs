using System.Collections.Concurrent;

namespace MoneyKitBridge.Functions.Transactions;

/// <summary>
/// Rendered transaction pages of this process, keyed by link, the state row's ETag (any change of the link's
/// data or state changes it), the day (defaults depend on it), the served <c>MoneyKit-Version</c> (the page's shape depends on it) and the query string. A hot page is then served
/// as the bytes it was rendered to, without filtering or serializing again. Bounded; cleared when full.
/// </summary>
public sealed class TransactionPageCache
{
    private const int MaxEntries = 512;
    private readonly ConcurrentDictionary<string, byte[]> pages = new(StringComparer.Ordinal);

    public static string KeyOf(string linkId, string etag, DateOnly today, string version, string? query) =>
        string.Concat(linkId, "\n", etag, "\n", today.DayNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), "\n", version, "\n", query);

    public bool TryGet(string key, out byte[] body) => pages.TryGetValue(key, out body!);

    public void Add(string key, byte[] body)
    {
        if (pages.Count >= MaxEntries)
        {
            pages.Clear();
        }

        pages[key] = body;
    }
}

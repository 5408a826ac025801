using System.Globalization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>The app-wide link list.</summary>
public sealed partial class MoneyKitClient
{
    /// <summary>Largest page of <c>GET /links</c> (MoneyKit's default <c>limit</c>).</summary>
    public const int MaxLinksPage = 1000;

    /// <summary>
    /// <c>GET /links</c>: one page of the app's active links (ids and creation times only; state and tags come from
    /// <see cref="GetLinkAsync"/>). MoneyKit allows 600 calls a minute per app.
    /// </summary>
    /// <param name="cursor">The previous page's <c>next_cursor</c>, or null for the first page.</param>
    /// <param name="limit">Page size, 1 to <see cref="MaxLinksPage"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="MoneyKitException">MoneyKit refused (e.g. 422 for a cursor it does not know) or could not be reached.</exception>
    public async Task<MoneyKitLinksPage> ListLinksAsync(string? cursor, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLinksPage);
        var query = "?limit=" + limit.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(cursor))
        {
            query += "&cursor=" + Uri.EscapeDataString(cursor);
        }

        var reply = await SendAsync(new MoneyKitCall(HttpMethod.Get, "links", Query: query), cancellationToken);
        return Read(reply, MoneyKitJsonContext.Default.MoneyKitLinksPage);
    }
}

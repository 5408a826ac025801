using System.Globalization;
using System.Text;
using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Auth;

namespace MoneyKit.Sandbox.Links;

/// <summary>
/// <c>GET /links</c>: the calling app's active (not deleted) links, as MoneyKit lists them (<c>GetLinksResponse</c>:
/// <c>links[{link_id, created_at}]</c> and <c>next_cursor</c>; query <c>cursor</c> and <c>limit</c>, 1..1000, default
/// 1000). MoneyKit's list carries no state and no customer user: a caller reads those with <c>GET /links/{id}</c>.
/// Pages in creation order, so a cursor stays valid while links are created or deleted.
/// </summary>
internal static class LinkListEndpoint
{
    public const int MaxLimit = 1000;
    private const string CursorPrefix = "links-after ";

    public static void MapLinkListEndpoint(this IEndpointRouteBuilder api) =>
        api.MapGet("/links", (HttpContext context, LinkRegistry links) => List(context, links));

    private static IResult List(HttpContext context, LinkRegistry links)
    {
        var query = context.Request.Query;
        var limit = MaxLimit;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return ErrorResult.QueryValidation("limit", $"limit must be an integer between 1 and {MaxLimit}.");
        }

        long after = 0;
        if (query.TryGetValue("cursor", out var cursorText) && cursorText.ToString().Length > 0 && !TryReadCursor(cursorText.ToString(), out after))
        {
            return ErrorResult.QueryValidation("cursor", "cursor is not a cursor of this list.");
        }

        var clientId = ApiCaller.ClientId(context);
        var page = new List<(long Sequence, ListedLinkWire Wire)>(limit + 1);
        foreach (var link in links.All.Where(l => l.Sequence > after && string.Equals(l.ClientId, clientId, StringComparison.Ordinal)).OrderBy(l => l.Sequence))
        {
            lock (link.Gate)
            {
                if (link.State == LinkState.Deleted)
                {
                    continue;
                }
            }

            page.Add((link.Sequence, new ListedLinkWire(link.Id, link.CreatedAt.UtcDateTime)));
            if (page.Count > limit)
            {
                break;
            }
        }

        string? next = null;
        if (page.Count > limit)
        {
            page.RemoveAt(limit);
            next = WriteCursor(page[^1].Sequence);
        }

        return TypedResults.Json(new LinksPageResponse([.. page.Select(p => p.Wire)], next), SandboxJsonContext.Default.LinksPageResponse);
    }

    private static string WriteCursor(long sequence) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(CursorPrefix + sequence.ToString(CultureInfo.InvariantCulture)));

    private static bool TryReadCursor(string cursor, out long after)
    {
        after = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith(CursorPrefix, StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(CursorPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out after);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

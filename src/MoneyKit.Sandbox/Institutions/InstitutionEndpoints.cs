using System.Globalization;
using System.Text;
using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Data;

namespace MoneyKit.Sandbox.Institutions;

/// <summary>
/// <c>GET /institutions</c> (MoneyKit's <c>name</c>, <c>featured</c>, <c>cursor</c>, <c>limit</c> 1..100 default 50; pages
/// in the sandbox's own order of its banks) and <c>GET /institutions/{id}</c>: the three sandbox banks.
/// </summary>
internal static class InstitutionEndpoints
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 100;

    public static void MapInstitutionEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/institutions", (HttpContext context) => List(context.Request.Query));
        api.MapGet("/institutions/{id}", (string id) =>
            SandboxInstitution.Find(id) is { } institution
                ? TypedResults.Json(ToWire(institution), SandboxJsonContext.Default.InstitutionWire)
                : (IResult)ErrorResult.NotFound("institution_error.not_found", "Institution not found."));
    }

    private static IResult List(IQueryCollection query)
    {
        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return ErrorResult.QueryValidation("limit", $"limit must be an integer between 1 and {MaxLimit}.");
        }

        var featured = false;
        if (query.TryGetValue("featured", out var featuredText) && !bool.TryParse(featuredText.ToString(), out featured))
        {
            return ErrorResult.QueryValidation("featured", "featured must be true or false.");
        }

        string? after = null;
        if (query.TryGetValue("cursor", out var cursorText) && cursorText.ToString().Length > 0)
        {
            after = FromCursor(cursorText.ToString());
            if (after is null)
            {
                return ErrorResult.QueryValidation("cursor", "cursor is not a cursor of this list.");
            }
        }

        var name = query.TryGetValue("name", out var nameText) ? nameText.ToString().Trim() : string.Empty;
        var start = after is null ? 0 : SandboxInstitution.All.ToList().FindIndex(i => i.Id == after) + 1;
        if (start == 0 && after is not null)
        {
            return ErrorResult.QueryValidation("cursor", "cursor is not a cursor of this list.");
        }

        var matching = SandboxInstitution.All
            .Skip(start)
            .Where(i => (!featured || IsFeatured(i)) && (name.Length == 0 || i.Name.Contains(name, StringComparison.OrdinalIgnoreCase)))
            .Take(limit + 1)
            .ToList();
        string? next = null;
        if (matching.Count > limit)
        {
            matching.RemoveAt(limit);
            next = ToCursor(matching[^1].Id);
        }

        return TypedResults.Json(new InstitutionsResponse([.. matching.Select(ToWire)], new PageCursorWire(next)), SandboxJsonContext.Default.InstitutionsResponse);
    }

    private static bool IsFeatured(SandboxInstitution institution) => false;

    private static string ToCursor(string lastId) => Convert.ToBase64String(Encoding.UTF8.GetBytes("after " + lastId));

    private static string? FromCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith("after ", StringComparison.Ordinal) ? text["after ".Length..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static InstitutionWire ToWire(SandboxInstitution institution) => new(
        institution.Id,
        [],
        institution.Name,
        "US",
        institution.Domain,
        institution.Color,
        institution.Color,
        IsFeatured(institution),
        institution.Avatar,
        true,
        institution.Login.ToString().ToLowerInvariant(),
        SandboxProducts.Available);
}

using System.Reflection;
using MoneyKitBridge.Core.Operations;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Operations;

/// <summary>
/// The operator view: <c>GET /api/ops/links</c> (the list), <c>GET /api/ops/links/{link_id}</c> (one link's health),
/// both scope <c>ops:read</c>, <c>POST /api/ops/links/{link_id}/resync</c> (a full resync, scope <c>ops:write</c>), and
/// <c>GET /api/ops</c>, the self-contained page that reads them.
/// </summary>
public static class OpsEndpoints
{
    private static readonly Lazy<string> Page = new(ReadPage);

    public static IEndpointRouteBuilder MapOpsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapBridgeRoute(BridgeRoutes.GetOpsLinks, GetLinksAsync);
        endpoints.MapBridgeRoute(BridgeRoutes.GetOpsLink, GetLinkAsync);
        endpoints.MapBridgeRoute(BridgeRoutes.ResyncOpsLink, ResyncLinkAsync);
        endpoints.MapBridgeRoute(BridgeRoutes.GetOpsPage, GetPage);
        return endpoints;
    }

    internal static async Task<IResult> GetLinksAsync(HttpContext context, LinkHealthReader reader)
    {
        if (!OpsLinkQueryParser.TryParse(context.Request.Query, out var query, out var error))
        {
            return error;
        }

        var page = await reader.ListAsync(query, context.RequestAborted);
        return TypedResults.Json(page, OpsJsonContext.Default.LinkHealthPage);
    }

    internal static async Task<IResult> GetLinkAsync(string link_id, HttpContext context, LinkHealthReader reader)
    {
        if (!LinkErrors.CouldBeLinkId(link_id))
        {
            return LinkErrors.NotFound();
        }

        var detail = await reader.GetAsync(link_id, context.RequestAborted);
        return detail is null ? LinkErrors.NotFound() : TypedResults.Json(detail, OpsJsonContext.Default.LinkHealthDetail);
    }

    /// <summary>
    /// 202 with the resync's generations when the resync is due (asking again while one is due changes nothing);
    /// MoneyKit's 404 for an unknown link and 410 <c>link_error.deleted</c> for a deleted one. Takes no body or query.
    /// </summary>
    internal static async Task<IResult> ResyncLinkAsync(string link_id, HttpContext context, LinkResync resync)
    {
        if (!LinkErrors.CouldBeLinkId(link_id))
        {
            return LinkErrors.NotFound();
        }

        var (body, bodyError) = await RequestBody.ReadBytesAsync(context);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (!OpsResyncRequestParser.TryParse(body, out var error))
        {
            return error;
        }

        var request = await resync.RequestAsync(link_id, context.RequestAborted);
        return request switch
        {
            { Status: ResyncRequestStatus.Accepted, State: { } state } => TypedResults.Json(
                new ResyncAccepted(state.LinkId, new ResyncStatus(state.ResyncGeneration ?? state.Generation + 1, state.Generation, state.ResyncReason ?? ResyncReasons.Operator, "scheduled")),
                OpsJsonContext.Default.ResyncAccepted,
                statusCode: StatusCodes.Status202Accepted),
            { Status: ResyncRequestStatus.Deleted } => LinkErrors.Deleted(),
            _ => LinkErrors.NotFound(),
        };
    }

    /// <summary>The page: no store, and a policy that lets it run only its own inline script and style and call its own origin.</summary>
    internal static IResult GetPage(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Content(Page.Value, "text/html; charset=utf-8");
    }

    private static string ReadPage()
    {
        using var stream = typeof(OpsEndpoints).Assembly.GetManifestResourceStream("Operations/ops.html")
            ?? throw new InvalidOperationException("The operator page is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

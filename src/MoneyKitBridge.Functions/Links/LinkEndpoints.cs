using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Functions.Links;

/// <summary>Link reads from the snapshot, the on-demand refresh within MoneyKit's limits, and disconnect.</summary>
public static class LinkEndpoints
{
    public static IEndpointRouteBuilder MapLinkEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapBridgeRoute(BridgeRoutes.GetLink, GetLinkAsync);
        endpoints.MapBridgeRoute(BridgeRoutes.GetLinkAccounts, GetAccountsAsync);
        endpoints.MapBridgeRoute(BridgeRoutes.RefreshLinkProducts, RefreshProductsAsync);
        endpoints.MapBridgeRoute(BridgeRoutes.DeleteLink, DeleteLinkAsync);
        endpoints.MapBridgeRoute(BridgeRoutes.GetUserLinks, GetUserLinksAsync);
        return endpoints;
    }

    internal static async Task<IResult> GetLinkAsync(string link_id, LinkSnapshotReader reader, HttpContext context)
    {
        var state = await reader.GetStateAsync(link_id, context.RequestAborted);
        if (state is null || CurrentLink.Json(state) is not { } json)
        {
            return LinkErrors.NotFound();
        }

        return new RawJsonResult(StatusCodes.Status200OK, writer => writer.WriteRawValue(json, skipInputValidation: true));
    }

    internal static async Task<IResult> GetAccountsAsync(string link_id, LinkSnapshotReader reader, HttpContext context)
    {
        var state = await reader.GetStateAsync(link_id, context.RequestAborted);
        if (LinkErrors.CheckReadable(state, "accounts") is { } notReadable)
        {
            return notReadable;
        }

        var snapshot = await reader.GetAsync(state!, context.RequestAborted);
        return new RawJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            RawJsonResult.WriteRawArray(writer, "accounts", snapshot.Accounts.Select(a => a.Json));
            writer.WritePropertyName("link");
            writer.WriteRawValue(CurrentLink.Json(snapshot.State) ?? "null", skipInputValidation: true);
            writer.WriteEndObject();
        });
    }

    /// <summary>MoneyKit's <c>GetUserLinksResponse</c>: <c>links</c> is a dictionary <c>{link_id: link}</c>.</summary>
    internal static async Task<IResult> GetUserLinksAsync(string user_id, LinkLifecycle lifecycle, LinkSnapshotReader reader, HttpContext context)
    {
        var links = new List<(string LinkId, string Json)>();
        foreach (var linkId in await lifecycle.GetUserLinkIdsAsync(user_id, context.RequestAborted))
        {
            if (await reader.GetStateAsync(linkId, context.RequestAborted) is { IsDeleted: false } state && CurrentLink.Json(state) is { } json)
            {
                links.Add((linkId, json));
            }
        }

        return new RawJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("links");
            foreach (var (linkId, json) in links)
            {
                writer.WritePropertyName(linkId);
                writer.WriteRawValue(json, skipInputValidation: true);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    internal static async Task<IResult> RefreshProductsAsync(string link_id, HttpContext context, LinkSnapshotReader reader, OnDemandRefresh refresh)
    {
        var (body, bodyError) = await RequestBody.ReadAsync(context, LinkJsonContext.Default.RefreshProductsRequest);
        if (bodyError is not null)
        {
            return bodyError;
        }

        // Repeats are one product, as MoneyKit reads them.
        var products = (body?.Products ?? ["transactions", "accounts"]).Distinct(StringComparer.Ordinal).ToList();
        if (products.Count == 0 || !products.All(RefreshLimits.IsProduct))
        {
            return ApiErrorResults.Validation([new ValidationError(["body", "products"], $"products must be a non-empty list of values from: {string.Join(", ", RefreshLimits.Products)}.", "value_error")]);
        }

        var state = await reader.GetStateAsync(link_id, context.RequestAborted);
        if (state is null)
        {
            return LinkErrors.NotFound();
        }

        if (state.IsDeleted)
        {
            return LinkErrors.Deleted();
        }

        OnDemandRefreshResult result;
        try
        {
            result = await refresh.RequestAsync(link_id, products, context.RequestAborted);
        }
        catch (MoneyKitException e) when (e.Status is 403 or 404 or 410 or 422)
        {
            return ApiErrorResults.Create(e.Status, new ApiError(e.ErrorCode ?? "link_error.bad_state", e.ErrorMessage ?? "MoneyKit refused the refresh.") { LinkErrorCode = e.LinkErrorCode });
        }

        return result switch
        {
            { Accepted: true } => TypedResults.Accepted((string?)null),
            { ByMoneyKit: true } => RateLimited(context, result.RetryAfter, "MoneyKit rate-limited the refresh."),
            _ => RateLimited(context, result.RetryAfter, "MoneyKit allows one refresh of a product per link per hour (identity and account numbers: per day)."),
        };
    }

    internal static async Task<IResult> DeleteLinkAsync(string link_id, LinkLifecycle lifecycle, HttpContext context)
    {
        try
        {
            return await lifecycle.DeleteAsync(link_id, context.RequestAborted)
                ? new RawJsonResult(StatusCodes.Status200OK, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("link_id", link_id);
                    writer.WriteString("state", MoneyKitLinkStates.Deleted);
                    writer.WriteEndObject();
                })
                : LinkErrors.NotFound();
        }
        catch (MoneyKitException e) when (e.Status == 429)
        {
            return RateLimited(context, e.RetryAfter ?? TimeSpan.FromMinutes(1), "MoneyKit rate-limited the delete; nothing was changed.");
        }
    }

    private static IResult RateLimited(HttpContext context, TimeSpan wait, string message)
    {
        var seconds = (long)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ApiErrorResults.Create(StatusCodes.Status429TooManyRequests, ApiErrorCodes.RateLimitExceeded, message);
    }
}

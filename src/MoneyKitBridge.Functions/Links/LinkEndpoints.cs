using System.Text.Json;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Functions.Links;

/// <summary>Link reads from the snapshot, the on-demand refresh within MoneyKit's limits, and disconnect.</summary>
public static class LinkEndpoints
{
    private static readonly Dictionary<string, TimeSpan> RefreshLimits = new(StringComparer.Ordinal)
    {
        ["transactions"] = TimeSpan.FromHours(1),
        ["accounts"] = TimeSpan.FromHours(1),
        ["identity"] = TimeSpan.FromDays(1),
        ["account_numbers"] = TimeSpan.FromDays(1),
        ["investments"] = TimeSpan.FromHours(1),
    };

    public static IEndpointRouteBuilder MapLinkEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/links/{link_id}", GetLinkAsync)
            .WithName("GetLink").WithTags("Links").WithSummary("The link as last seen from MoneyKit.")
            .RequireBridgeScope(BridgeScopes.LinksRead)
            .AddEndpointFilter<RouteHandlerBuilder, LinkIdFilter>();
        endpoints.MapGet("/api/links/{link_id}/accounts", GetAccountsAsync)
            .WithName("GetLinkAccounts").WithTags("Links").WithSummary("The link's accounts from the snapshot.")
            .RequireBridgeScope(BridgeScopes.LinksRead)
            .AddEndpointFilter<RouteHandlerBuilder, LinkIdFilter>();
        endpoints.MapPost("/api/links/{link_id}/products", RefreshProductsAsync)
            .WithName("RefreshLinkProducts").WithTags("Links").WithSummary("Ask MoneyKit to refresh products, within MoneyKit's per-link limits.")
            .RequireBridgeScope(BridgeScopes.LinksWrite)
            .AddEndpointFilter<RouteHandlerBuilder, LinkIdFilter>()
            .WithMoneyKitOutageHandling();
        endpoints.MapDelete("/api/links/{link_id}", DeleteLinkAsync)
            .WithName("DeleteLink").WithTags("Links").WithSummary("Disconnect: delete at MoneyKit, purge stored data, keep a tombstone.")
            .RequireBridgeScope(BridgeScopes.LinksWrite)
            .AddEndpointFilter<RouteHandlerBuilder, LinkIdFilter>()
            .WithMoneyKitOutageHandling();
        endpoints.MapGet("/api/users/{user_id}/links", GetUserLinksAsync)
            .WithName("GetUserLinks").WithTags("Users").WithSummary("The customer user's links.")
            .RequireBridgeScope(BridgeScopes.LinksRead);
        return endpoints;
    }

    private static async Task<IResult> GetLinkAsync(string link_id, LinkSnapshotReader reader, HttpContext context)
    {
        var state = await reader.GetStateAsync(link_id, context.RequestAborted);
        if (state?.LinkJson is null)
        {
            return LinkErrors.NotFound();
        }

        var json = state.IsDeleted ? WithState(state.LinkJson, MoneyKitLinkStates.Deleted) : state.LinkJson;
        return new RawJsonResult(StatusCodes.Status200OK, writer => writer.WriteRawValue(json, skipInputValidation: true));
    }

    private static async Task<IResult> GetAccountsAsync(string link_id, LinkSnapshotReader reader, HttpContext context)
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
            writer.WriteRawValue(snapshot.State.LinkJson ?? "null", skipInputValidation: true);
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> GetUserLinksAsync(string user_id, LinkLifecycle lifecycle, LinkSnapshotReader reader, HttpContext context)
    {
        var links = new List<string>();
        foreach (var linkId in await lifecycle.GetUserLinkIdsAsync(user_id, context.RequestAborted))
        {
            if (await reader.GetStateAsync(linkId, context.RequestAborted) is { IsDeleted: false, LinkJson: { } json })
            {
                links.Add(json);
            }
        }

        return new RawJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            RawJsonResult.WriteRawArray(writer, "links", links);
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> RefreshProductsAsync(string link_id, HttpContext context, LinkSnapshotReader reader, RefreshRequests refreshRequests, MoneyKitClient moneyKit, TimeProvider time)
    {
        var (body, bodyError) = await RequestBody.ReadAsync(context, LinkJsonContext.Default.RefreshProductsRequest);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var products = body?.Products ?? ["transactions", "accounts"];
        var unknown = products.Where(p => !RefreshLimits.ContainsKey(p)).ToList();
        if (products.Count == 0 || unknown.Count > 0 || products.Distinct(StringComparer.Ordinal).Count() != products.Count)
        {
            return ApiErrorResults.Validation([new ValidationError(["body", "products"], $"products must be a non-empty list of distinct values from: {string.Join(", ", RefreshLimits.Keys)}.", "value_error")]);
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

        // MoneyKit allows one refresh per product per link per hour (per day for identity/numbers): refuse locally
        // instead of spending a call that would be rate-limited.
        var now = time.GetUtcNow();
        var wait = TimeSpan.Zero;
        foreach (var product in products)
        {
            if (ProductOf(state.Link?.Products, product) is { } status && (status.LastAttemptedAt ?? status.RefreshedAt) is { } last && last + RefreshLimits[product] > now)
            {
                wait = TimeSpan.FromTicks(Math.Max(wait.Ticks, (last + RefreshLimits[product] - now).Ticks));
            }
        }

        var indexNotBefore = await refreshRequests.GetNotBeforeAsync(link_id, context.RequestAborted);
        if (indexNotBefore is { } notBefore && notBefore > now && products.Any(p => p is "transactions" or "accounts"))
        {
            wait = TimeSpan.FromTicks(Math.Max(wait.Ticks, (notBefore - now).Ticks));
        }

        if (wait > TimeSpan.Zero)
        {
            return RateLimited(context, wait, "MoneyKit allows one refresh of these products per link per hour (identity and account numbers: per day).");
        }

        try
        {
            await moneyKit.RefreshProductsAsync(link_id, products, context.RequestAborted);
        }
        catch (MoneyKitException e) when (e.Status == 429)
        {
            return RateLimited(context, e.RetryAfter ?? TimeSpan.FromHours(1), "MoneyKit rate-limited the refresh.");
        }
        catch (MoneyKitException e) when (e.Status is 403 or 404 or 410 or 422)
        {
            return ApiErrorResults.Create(e.Status, new ApiError(e.ErrorCode ?? "link_error.bad_state", e.ErrorMessage ?? "MoneyKit refused the refresh.") { LinkErrorCode = e.LinkErrorCode });
        }

        if (indexNotBefore is not null && products.Any(p => p is "transactions" or "accounts"))
        {
            await refreshRequests.RecordAsync(link_id, now, now + TimeSpan.FromHours(1), context.RequestAborted);
        }

        return TypedResults.Accepted((string?)null);
    }

    private static async Task<IResult> DeleteLinkAsync(string link_id, LinkLifecycle lifecycle, HttpContext context)
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

    private static MoneyKitLinkProduct? ProductOf(MoneyKitLinkProducts? products, string name) => name switch
    {
        "transactions" => products?.Transactions,
        "accounts" => products?.Accounts,
        "identity" => products?.Identity,
        "account_numbers" => products?.AccountNumbers,
        "investments" => products?.Investments,
        _ => null,
    };

    private static IResult RateLimited(HttpContext context, TimeSpan wait, string message)
    {
        var seconds = (long)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ApiErrorResults.Create(StatusCodes.Status429TooManyRequests, ApiErrorCodes.RateLimitExceeded, message);
    }

    private static string WithState(string linkJson, string state)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(linkJson)!.AsObject();
        node["state"] = state;
        node["error_code"] = null;
        return node.ToJsonString();
    }
}

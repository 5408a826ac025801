using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.Links;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Functions.LinkSessions;

/// <summary>
/// Link creation. <c>POST /api/link-session</c> forwards to MoneyKit with the bridge's webhook URL and link tags
/// (re-sent for <c>existing_link_id</c>, which MoneyKit would otherwise drop); <c>POST /api/link-session/exchange-token</c>
/// exchanges, stores the link for its customer user and runs the first sync (answering once it is done or after a
/// few seconds, whichever comes first).
/// </summary>
public static class LinkSessionEndpoints
{
    /// <summary>Link tag carrying the customer user id, so the exchange knows whose link it is.</summary>
    public const string OwnerTagPrefix = LinkOwnerTag.Prefix;

    public static IEndpointRouteBuilder MapLinkSessionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapBridgeRoute(BridgeRoutes.CreateLinkSession, CreateAsync);
        endpoints.MapBridgeRoute(BridgeRoutes.ExchangeLinkSessionToken, ExchangeAsync);
        return endpoints;
    }

    internal static async Task<IResult> CreateAsync(HttpContext context, MoneyKitClient moneyKit, MoneyKitBridge.Core.Queries.LinkSnapshotReader reader, IOptions<BridgeLinkOptions> options)
    {
        var (body, error) = await RequestBody.ReadObjectAsync(context);
        if (body is null)
        {
            return error ?? RequestErrors.NotJson("The request body must be a JSON object.");
        }

        var userId = (body["customer_user"] as JsonObject)?["id"] is JsonValue id && id.TryGetValue<string>(out var text) ? text : null;
        if (string.IsNullOrWhiteSpace(userId) || userId.Length > 200)
        {
            return ApiErrorResults.Validation([new ValidationError(["body", "customer_user", "id"], "customer_user.id is required (at most 200 characters).", "value_error.missing")]);
        }

        if (body["existing_link_id"] is JsonValue existingValue && existingValue.TryGetValue<string>(out var candidate) && !LinkErrors.CouldBeLinkId(candidate))
        {
            return LinkErrors.NotFound();
        }

        var tags = new List<string>();
        if (body["link_tags"] is JsonArray requested)
        {
            foreach (var tag in requested)
            {
                if (tag is JsonValue v && v.TryGetValue<string>(out var s) && !s.StartsWith(OwnerTagPrefix, StringComparison.Ordinal))
                {
                    tags.Add(s);
                }
            }
        }
        else if (body["existing_link_id"] is JsonValue existing && existing.TryGetValue<string>(out var existingId)
            && await reader.GetStateAsync(existingId, context.RequestAborted) is { Link: { } known })
        {
            // Reconnecting: MoneyKit drops webhook and tags unless they are sent again.
            tags.AddRange((known.LinkTags ?? known.Tags ?? []).Where(t => !t.StartsWith(OwnerTagPrefix, StringComparison.Ordinal)));
        }

        tags.Add(OwnerTagPrefix + userId);
        body["link_tags"] = new JsonArray(tags.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray());
        if (options.Value.PublicUrl is { } webhook)
        {
            body["webhook"] = webhook.ToString();
        }

        CreateLinkSessionRequest request;
        try
        {
            request = body.Deserialize(MoneyKitJsonContext.Default.CreateLinkSessionRequest)!;
        }
        catch (JsonException)
        {
            return ApiErrorResults.Create(StatusCodes.Status400BadRequest, ApiErrorCodes.BadRequest, "The request body does not have MoneyKit's link-session shape.");
        }

        try
        {
            var session = await moneyKit.CreateLinkSessionAsync(request, context.RequestAborted);
            return new RawJsonResult(StatusCodes.Status200OK, writer => JsonSerializer.Serialize(writer, session, MoneyKitJsonContext.Default.MoneyKitLinkSession));
        }
        catch (MoneyKitException e) when (e.Status is >= 400 and < 500)
        {
            return Upstream(e);
        }
    }

    internal static async Task<IResult> ExchangeAsync(HttpContext context, MoneyKitClient moneyKit, LinkLifecycle lifecycle, BackgroundSyncScheduler syncs, TimeProvider time, IOptions<BridgeLinkOptions> options)
    {
        var (body, error) = await RequestBody.ReadAsync(context, LinkJsonContext.Default.ExchangeTokenRequest);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(body?.ExchangeableToken) || body.ExchangeableToken.Length > 1000)
        {
            return ApiErrorResults.Validation([new ValidationError(["body", "exchangeable_token"], "exchangeable_token is required.", "value_error.missing")]);
        }

        MoneyKitExchangeTokenResponse exchanged;
        try
        {
            exchanged = await moneyKit.ExchangeTokenAsync(body.ExchangeableToken, context.RequestAborted);
        }
        catch (MoneyKitException e) when (e.Status is >= 400 and < 500)
        {
            return Upstream(e);
        }

        var link = exchanged.Link ?? await moneyKit.GetLinkAsync(exchanged.LinkId!, context.RequestAborted);
        var owner = LinkOwnerTag.Find(link);
        await lifecycle.RegisterAsync(link, owner, context.RequestAborted);

        var firstSync = syncs.Start(link.LinkId, SyncTrigger.LinkCreated);
        await Task.WhenAny(firstSync, Task.Delay(options.Value.FirstSyncWait, time, context.RequestAborted));

        return new RawJsonResult(StatusCodes.Status200OK, writer => JsonSerializer.Serialize(writer, exchanged with { LinkId = link.LinkId, Link = link }, MoneyKitJsonContext.Default.MoneyKitExchangeTokenResponse));
    }

    private static IResult Upstream(MoneyKitException e) =>
        e.Status == StatusCodes.Status429TooManyRequests
            ? ApiErrorResults.Create(StatusCodes.Status429TooManyRequests, ApiErrorCodes.RateLimitExceeded, "MoneyKit rate-limited the request.")
            : ApiErrorResults.Create(e.Status == StatusCodes.Status401Unauthorized ? StatusCodes.Status502BadGateway : e.Status, new ApiError(e.ErrorCode ?? "api_error.request.bad_request", e.ErrorMessage ?? "MoneyKit refused the request.") { LinkErrorCode = e.LinkErrorCode });
}

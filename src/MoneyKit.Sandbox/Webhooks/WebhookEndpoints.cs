using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Auth;
using MoneyKit.Sandbox.Data;
using MoneyKit.Sandbox.Links;

namespace MoneyKit.Sandbox.Webhooks;

/// <summary><c>GET /.well-known/jwks.json</c> and <c>POST /webhooks/test/link/{id}</c>.</summary>
internal static class WebhookEndpoints
{
    public static void MapJwksEndpoint(this IEndpointRouteBuilder app) =>
        app.MapGet("/.well-known/jwks.json", GetJwks);

    public static void MapWebhookEndpoints(this IEndpointRouteBuilder api) =>
        api.MapPost("/webhooks/test/link/{id}", SendTestWebhookAsync);

    /// <summary>MoneyKit takes the app's <c>X-Client-Id</c> here (a bearer token is also accepted).</summary>
    private static IResult GetJwks(HttpContext context, AccessTokens tokens, WebhookSigningKeys keys)
    {
        if (!tokens.IsKnownClient(context.Request.Headers["X-Client-Id"].FirstOrDefault()) && tokens.Authenticate(context.Request).Error is { } error)
        {
            return error;
        }

        return TypedResults.Json(keys.Jwks(), SandboxJsonContext.Default.JwksWire);
    }

    private static async Task<IResult> SendTestWebhookAsync(string id, HttpContext context, LinkRegistry links, LinkWebhooks webhooks, CancellationToken cancellationToken)
    {
        var (link, error) = LinkAccess.Find(links, context, id);
        if (error is not null)
        {
            return error;
        }

        var (body, bodyError) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.TestWebhookRequest, null, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (body!.WebhookEvent is not { } eventName || !LinkWebhooks.IsKnownEvent(eventName))
        {
            return ErrorResult.Validation("webhook_event", "webhook_event must be link.state_changed, link.product_refresh or transactions.updates_available.");
        }

        if (string.IsNullOrWhiteSpace(body.WebhookIdempotencyKey) || body.WebhookIdempotencyKey.Length > 200)
        {
            return ErrorResult.Validation("webhook_idempotency_key", "webhook_idempotency_key is required (at most 200 characters).");
        }

        lock (link!.Gate)
        {
            if (link.State == LinkState.Deleted)
            {
                return ErrorResult.LinkDeleted();
            }

            if (link.Webhook is null)
            {
                return new ErrorResult(StatusCodes.Status422UnprocessableEntity, new MoneyKitError("link_error.bad_config", "The link has no webhook URL.", null));
            }

            var key = body.WebhookIdempotencyKey;
            var token = eventName switch
            {
                LinkWebhooks.StateChanged => webhooks.SendStateChanged(link, key),
                LinkWebhooks.UpdatesAvailable => webhooks.SendUpdatesAvailable(link, hasHistory: false, key),
                _ => webhooks.SendProductRefresh(link, SandboxProducts.Transactions, "completed", null, key),
            };
            return TypedResults.Json(new TestWebhookResponse(token!, key), SandboxJsonContext.Default.TestWebhookResponse);
        }
    }
}

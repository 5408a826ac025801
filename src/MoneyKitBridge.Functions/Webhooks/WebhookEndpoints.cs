using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Webhooks;

/// <summary>
/// <c>POST /api/webhooks/moneykit</c> (anonymous: the ES256 signature is the authentication). Reads at most the
/// configured body size, verifies, deduplicates and records; a sync it starts runs after the answer.
/// </summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapBridgeRoute(BridgeRoutes.MoneyKitWebhook, ReceiveAsync);
        return endpoints;
    }

    internal static async Task ReceiveAsync(HttpContext context, WebhookReceiver receiver)
    {
        var request = context.Request;
        WebhookResponse response;
        if (request.ContentLength > receiver.MaxBodyBytes)
        {
            response = WebhookResponse.BodyTooLarge(receiver.MaxBodyBytes);
        }
        else
        {
            var body = await ReadBoundedAsync(request.Body, receiver.MaxBodyBytes + 1, context.RequestAborted);
            response = body.Length > receiver.MaxBodyBytes
                ? WebhookResponse.BodyTooLarge(receiver.MaxBodyBytes)
                : await receiver.ReceiveAsync(
                    body,
                    request.Headers[WebhookReceiver.SignatureHeader].ToString(),
                    request.Headers[WebhookReceiver.DeliveryTokenHeader].ToString(),
                    request.Headers[WebhookReceiver.DeliveryAttemptHeader].ToString(),
                    context.RequestAborted);
        }

        context.Response.StatusCode = response.Status;
        context.Response.ContentType = WebhookResponse.ContentType;
        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[limit];
        var total = 0;
        int read;
        while (total < limit && (read = await body.ReadAsync(buffer.AsMemory(total, limit - total), cancellationToken)) > 0)
        {
            total += read;
        }

        return buffer[..total];
    }
}

using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Webhooks;

/// <summary>Worker mode: the MoneyKit webhook, calling the handler standalone mode maps.</summary>
public sealed class WebhookFunctions(WebhookReceiver receiver)
{
    /// <summary>Verifies and records the delivery; the handler writes the answer, so the result adds nothing.</summary>
    [Function(BridgeRoutes.MoneyKitWebhook)]
    public async Task<IResult> MoneyKitWebhookAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Post, Route = BridgeRoutes.MoneyKitWebhookRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await WebhookEndpoints.ReceiveAsync(request.HttpContext, receiver);
        return Results.Empty;
    }
}

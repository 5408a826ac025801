namespace MoneyKitBridge.Core.Webhooks;

/// <summary>A verified event as delivered: the event, its delivery token (safe to log) and attempt number.</summary>
internal sealed record WebhookDelivery(MoneyKitWebhookEvent Event, string Token, int? Attempt);

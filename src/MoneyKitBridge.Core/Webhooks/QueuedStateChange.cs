namespace MoneyKitBridge.Core.Webhooks;

/// <summary>A <c>link.state_changed</c> delivery waiting on its link's lane, settled through <see cref="Done"/>.</summary>
internal sealed record QueuedStateChange(WebhookDelivery Delivery, TaskCompletionSource<WebhookOutcome> Done);

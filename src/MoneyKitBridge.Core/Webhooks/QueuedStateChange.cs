namespace MoneyKitBridge.Core.Webhooks;

/// <summary>A <c>link.state_changed</c> delivery waiting on its link's lane, settled through <see cref="Done"/>.</summary>
internal sealed record QueuedStateChange(WebhookDelivery Delivery, TaskCompletionSource<WebhookOutcome> Done)
{
    /// <summary>Identifies this processing of the delivery on the state row (see <see cref="Storage.AppliedStateChange.CommitId"/>).</summary>
    public string CommitId { get; } = Guid.NewGuid().ToString("N");
}

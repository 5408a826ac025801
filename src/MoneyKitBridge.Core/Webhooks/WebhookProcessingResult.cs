namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// The result of <see cref="WebhookProcessor.ProcessAsync"/>. <see cref="Background"/> is work started after the
/// answer (a webhook-triggered sync); it never faults and the endpoint need not await it.
/// </summary>
public sealed record WebhookProcessingResult(WebhookOutcome Outcome, Task Background)
{
    /// <summary>HTTP status to answer MoneyKit with: 2xx for every settled outcome, 503 on a storage outage, 422 for an event storage refuses.</summary>
    public int Status => Outcome switch
    {
        WebhookOutcome.Failed => 503,
        WebhookOutcome.Unstorable => 422,
        _ => 200,
    };
}

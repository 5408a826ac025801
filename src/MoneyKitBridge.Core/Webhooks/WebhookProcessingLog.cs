using Azure;
using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// What webhook processing logs: the delivery token, attempt, event type, link id and outcome only. Routine outcomes
/// (applied, stale, duplicate) at Debug: every delivery's token, attempt and outcome is stored in its event row
/// already, and at MoneyKit's volumes a line each is log cost without information. Outcomes that deserve a look
/// (unknown link, event, state or version; deleted link) at Information.
/// </summary>
internal static partial class WebhookProcessingLog
{
    public static void Outcome(ILogger logger, WebhookDelivery delivery, WebhookOutcome outcome)
    {
        if (outcome is WebhookOutcome.Applied or WebhookOutcome.Stale or WebhookOutcome.Duplicate)
        {
            Routine(logger, delivery.Event.WebhookEvent, delivery.Event.LinkId, delivery.Token, delivery.Attempt, WebhookLog.Name(outcome));
        }
        else
        {
            Notable(logger, delivery.Event.WebhookEvent, delivery.Event.LinkId, delivery.Token, delivery.Attempt, WebhookLog.Name(outcome));
        }
    }

    public static void Unstorable(ILogger logger, WebhookDelivery delivery, Exception e) =>
        Unstorable(logger, delivery.Event.WebhookEvent, delivery.Event.LinkId, delivery.Token, delivery.Attempt, (e as RequestFailedException)?.Status, (e as RequestFailedException)?.ErrorCode);

    public static void Failed(ILogger logger, WebhookDelivery delivery, Exception e) =>
        Failed(logger, delivery.Event.WebhookEvent, delivery.Event.LinkId, delivery.Token, delivery.Attempt, e.GetType().Name);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Webhook {Event} for link {LinkId}: delivery {DeliveryToken} attempt {Attempt} -> {Outcome}")]
    private static partial void Routine(ILogger logger, string @event, string linkId, string deliveryToken, int? attempt, string outcome);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Webhook {Event} for link {LinkId}: delivery {DeliveryToken} attempt {Attempt} -> {Outcome}")]
    private static partial void Notable(ILogger logger, string @event, string linkId, string deliveryToken, int? attempt, string outcome);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Webhook {Event} for link {LinkId}: delivery {DeliveryToken} attempt {Attempt} refused: storage refuses the event itself ({Status} {ErrorCode}); answered 422")]
    private static partial void Unstorable(ILogger logger, string @event, string linkId, string deliveryToken, int? attempt, int? status, string? errorCode);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Webhook {Event} for link {LinkId}: delivery {DeliveryToken} attempt {Attempt} failed on storage ({Reason}); MoneyKit will retry")]
    private static partial void Failed(ILogger logger, string @event, string linkId, string deliveryToken, int? attempt, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Follow-up of a state change of link {LinkId} failed on storage ({Reason})")]
    public static partial void FollowUpFailed(ILogger logger, string linkId, string reason);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "Webhook background work failed: {Reason}")]
    public static partial void LaneFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Warning, Message = "{Count} event rows of applied state changes were not written ({Reason}); the state rows hold their newest records")]
    public static partial void HistoryNotWritten(ILogger logger, int count, string reason);
}

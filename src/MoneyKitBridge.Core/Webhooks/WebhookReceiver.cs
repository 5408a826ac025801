using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>What the endpoint answers: status and a JSON body (a MoneyKit-shaped error, or the outcome).</summary>
public sealed record WebhookResponse(int Status, byte[] Body, WebhookProcessingResult? Processing)
{
    public const string ContentType = "application/json";

    /// <summary>The answer for a body larger than the limit (send it without reading the body).</summary>
    public static WebhookResponse BodyTooLarge(int maxBodyBytes) =>
        Error(new WebhookFailure(413, WebhookErrorCodes.BodyTooLarge, $"The body is larger than {maxBodyBytes} bytes."));

    internal static WebhookResponse Error(WebhookFailure failure) => new(
        failure.Status,
        JsonSerializer.SerializeToUtf8Bytes(new WebhookErrorBody(failure.ErrorCode, failure.Message, null), WebhookJsonContext.Default.WebhookErrorBody),
        null);
}

/// <summary>
/// The whole webhook endpoint without HTTP: verify, then process, then the answer. The Functions endpoint only
/// bounds the body (<see cref="MaxBodyBytes"/>: refuse a larger Content-Length with <see cref="WebhookResponse.BodyTooLarge"/>
/// and read at most one byte more), passes the raw bytes and the <c>MoneyKit-Signature</c>, <c>MoneyKit-Delivery-Token</c>
/// and <c>MoneyKit-Delivery-Attempt</c> headers, and writes the response. It need not await
/// <see cref="WebhookProcessingResult.Background"/>.
/// </summary>
public sealed class WebhookReceiver(WebhookVerifier verifier, WebhookProcessor processor, ILogger<WebhookReceiver> logger)
{
    public const string SignatureHeader = "MoneyKit-Signature";
    public const string DeliveryTokenHeader = "MoneyKit-Delivery-Token";
    public const string DeliveryAttemptHeader = "MoneyKit-Delivery-Attempt";

    public int MaxBodyBytes => verifier.MaxBodyBytes;

    public async Task<WebhookResponse> ReceiveAsync(ReadOnlyMemory<byte> rawBody, string? signature, string? deliveryToken, string? deliveryAttempt, CancellationToken cancellationToken = default)
    {
        var token = WebhookLog.SafeToken(deliveryToken);
        var attempt = WebhookLog.ParseAttempt(deliveryAttempt);
        var verification = await verifier.VerifyAsync(rawBody, signature, cancellationToken);
        if (verification.Failure is { } failure)
        {
            logger.LogWarning("Webhook refused: delivery {DeliveryToken} attempt {Attempt}: {Status} {ErrorCode}", token, attempt, failure.Status, failure.ErrorCode);
            return WebhookResponse.Error(failure);
        }

        var result = await processor.ProcessAsync(verification.Event!, deliveryToken, attempt, cancellationToken);
        return result.Outcome switch
        {
            WebhookOutcome.Failed => WebhookResponse.Error(new WebhookFailure(503, WebhookErrorCodes.StorageUnavailable, "The event could not be stored; retry later.")) with { Processing = result },
            WebhookOutcome.Unstorable => WebhookResponse.Error(new WebhookFailure(422, WebhookErrorCodes.UnstorableEvent, "The event holds a value storage cannot keep; it will never be stored.")) with { Processing = result },
            _ => new WebhookResponse(
                result.Status,
                JsonSerializer.SerializeToUtf8Bytes(new WebhookAcceptedBody(WebhookLog.Name(result.Outcome)), WebhookJsonContext.Default.WebhookAcceptedBody),
                result),
        };
    }
}

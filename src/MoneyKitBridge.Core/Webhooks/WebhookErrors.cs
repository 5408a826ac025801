namespace MoneyKitBridge.Core.Webhooks;

/// <summary>Why a webhook was refused: HTTP status, MoneyKit-shaped error code and a message safe to return and log.</summary>
public sealed record WebhookFailure(int Status, string ErrorCode, string Message)
{
    internal static WebhookFailure Unauthorized(string code, string message) => new(401, code, message);
}

/// <summary>Error codes of refused webhooks (MoneyKit's <c>area_error.reason</c> style).</summary>
public static class WebhookErrorCodes
{
    public const string BodyTooLarge = "webhook_error.body_too_large";
    public const string MissingSignature = "webhook_error.missing_signature";
    public const string MalformedSignature = "webhook_error.malformed_signature";
    public const string UnsupportedAlgorithm = "webhook_error.unsupported_algorithm";
    public const string UnknownKey = "webhook_error.unknown_key";
    public const string KeysUnavailable = "webhook_error.keys_unavailable";
    public const string InvalidSignature = "webhook_error.invalid_signature";
    public const string InvalidIssuer = "webhook_error.invalid_issuer";
    public const string StaleSignature = "webhook_error.stale_signature";
    public const string FutureSignature = "webhook_error.future_signature";
    public const string BodyMismatch = "webhook_error.body_mismatch";
    public const string InvalidBody = "webhook_error.invalid_body";
    public const string StorageUnavailable = "api_error.storage_unavailable";
    public const string UnstorableEvent = "webhook_error.unstorable_event";
}

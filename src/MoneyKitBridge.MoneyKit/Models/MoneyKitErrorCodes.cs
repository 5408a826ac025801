namespace MoneyKitBridge.MoneyKit;

/// <summary>Known values of <see cref="MoneyKitException.ErrorCode"/> (MoneyKit's <c>error_code</c>).</summary>
public static class MoneyKitErrorCodes
{
    /// <summary><c>api_error.auth.expired_access_token</c>.</summary>
    public const string ExpiredAccessToken = "api_error.auth.expired_access_token";

    /// <summary><c>api_error.auth.unauthorized</c>.</summary>
    public const string Unauthorized = "api_error.auth.unauthorized";

    /// <summary><c>api_error.rate_limit_exceeded</c>.</summary>
    public const string RateLimitExceeded = "api_error.rate_limit_exceeded";

    /// <summary><c>api_error.request.validation_failed</c>.</summary>
    public const string ValidationFailed = "api_error.request.validation_failed";

    /// <summary><c>link_error.forbidden_action</c> (403).</summary>
    public const string LinkForbiddenAction = "link_error.forbidden_action";

    /// <summary><c>link_error.not_found</c> (404).</summary>
    public const string LinkNotFound = "link_error.not_found";

    /// <summary><c>link_error.deleted</c> (410).</summary>
    public const string LinkDeleted = "link_error.deleted";

    /// <summary><c>link_error.bad_state</c> (422, with <see cref="MoneyKitException.LinkErrorCode"/>).</summary>
    public const string LinkBadState = "link_error.bad_state";

    /// <summary><c>link_session_error.invalid_token_exchange</c>.</summary>
    public const string InvalidTokenExchange = "link_session_error.invalid_token_exchange";
}

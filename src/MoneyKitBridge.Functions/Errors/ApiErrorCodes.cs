namespace MoneyKitBridge.Functions.Errors;

/// <summary>The MoneyKit error codes the host and auth layers answer with.</summary>
public static class ApiErrorCodes
{
    /// <summary>Missing, malformed or unknown credentials or bearer token.</summary>
    public const string Unauthorized = "api_error.auth.unauthorized";

    /// <summary>A bearer token whose lifetime has ended.</summary>
    public const string ExpiredAccessToken = "api_error.auth.expired_access_token";

    /// <summary>A valid token that lacks the scope the route needs.</summary>
    public const string Forbidden = "api_error.auth.forbidden";

    /// <summary>The caller exceeded its request budget.</summary>
    public const string RateLimitExceeded = "api_error.rate_limit_exceeded";

    /// <summary>Request parameters or body failed validation.</summary>
    public const string ValidationFailed = "api_error.request.validation_failed";

    /// <summary>The request could not be read (malformed JSON, wrong content type, ...).</summary>
    public const string BadRequest = "api_error.request.bad_request";

    /// <summary>No route matches the path.</summary>
    public const string NotFound = "api_error.request.not_found";

    /// <summary>The route exists but not for this HTTP method.</summary>
    public const string MethodNotAllowed = "api_error.request.method_not_allowed";

    /// <summary>
    /// A change feed cursor (<c>transactions/sync</c> of the bridge) older than the removals the bridge keeps: the app
    /// starts over without a cursor. The bridge's own code (MoneyKit documents no cursor lifetime), answered with 400.
    /// </summary>
    public const string CursorExpired = "api_error.request.cursor_expired";

    /// <summary>The request body is larger than allowed.</summary>
    public const string PayloadTooLarge = "api_error.request.payload_too_large";

    /// <summary>The request's content type is not accepted by the route.</summary>
    public const string UnsupportedMediaType = "api_error.request.unsupported_media_type";

    /// <summary>The request target (path and query) is longer than allowed.</summary>
    public const string UriTooLong = "api_error.request.uri_too_long";

    /// <summary>The request headers are larger than allowed.</summary>
    public const string HeadersTooLarge = "api_error.request.headers_too_large";

    /// <summary>An unexpected failure inside the bridge.</summary>
    public const string InternalServerError = "api_error.internal_server_error";
}

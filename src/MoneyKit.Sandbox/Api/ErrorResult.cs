using System.Globalization;

namespace MoneyKit.Sandbox.Api;

/// <summary>A MoneyKit-shaped error answer, optionally with <c>Retry-After</c>.</summary>
internal sealed class ErrorResult(int status, MoneyKitError error, string? retryAfter = null) : IResult
{
    public int Status { get; } = status;

    public MoneyKitError Error { get; } = error;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = Status;
        if (retryAfter is not null)
        {
            httpContext.Response.Headers.RetryAfter = retryAfter;
        }

        return httpContext.Response.WriteAsJsonAsync(Error, SandboxJsonContext.Default.MoneyKitError);
    }

    public static ErrorResult Unauthorized() =>
        new(StatusCodes.Status401Unauthorized, new("api_error.auth.unauthorized", "Invalid or missing credentials.", null));

    public static ErrorResult ExpiredAccessToken() =>
        new(StatusCodes.Status401Unauthorized, new("api_error.auth.expired_access_token", "Access token expired", null));

    public static ErrorResult LinkNotFound() =>
        new(StatusCodes.Status404NotFound, new("link_error.not_found", "Link not found.", null));

    public static ErrorResult LinkDeleted() =>
        new(StatusCodes.Status410Gone, new("link_error.deleted", "This link was deleted at some earlier time.", null));

    public static ErrorResult BadState(string state, string? linkErrorCode) =>
        new(StatusCodes.Status422UnprocessableEntity,
            new("link_error.bad_state", $"The link is in state '{state}'.", null, linkErrorCode ?? state));

    public static ErrorResult Forbidden(string message) =>
        new(StatusCodes.Status403Forbidden, new("link_error.forbidden_action", message, null));

    public static ErrorResult NotFound(string code, string message) =>
        new(StatusCodes.Status404NotFound, new(code, message, null));

    public static ErrorResult RateLimited(TimeSpan retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, new("api_error.rate_limit_exceeded", "Rate limit exceeded", null),
            Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture));

    public static ErrorResult Validation(string field, string message) =>
        new(StatusCodes.Status422UnprocessableEntity,
            new("api_error.request.validation_failed", message, null, null, [new ValidationProblem(["body", field], message, "value_error")]));

    public static ErrorResult QueryValidation(string field, string message) =>
        new(StatusCodes.Status422UnprocessableEntity,
            new("api_error.request.validation_failed", message, null, null, [new ValidationProblem(["query", field], message, "value_error")]));

    public static ErrorResult Conflict(string code, string message) =>
        new(StatusCodes.Status409Conflict, new(code, message, null));
}

using Microsoft.AspNetCore.Http;

namespace MoneyKitBridge.Functions.Errors;

/// <summary>Builds and writes MoneyKit-shaped error answers.</summary>
public static class ApiErrorResults
{
    /// <summary>An endpoint result carrying <paramref name="errorCode"/> and <paramref name="message"/>.</summary>
    public static IResult Create(int statusCode, string errorCode, string message) =>
        TypedResults.Json(new ApiError(errorCode, message), ErrorsJsonContext.Default.ApiError, statusCode: statusCode);

    /// <summary>Writes the error to a response that has not started yet (for middleware).</summary>
    /// <summary>An error answer with a full body (link error code, validation errors).</summary>
    public static IResult Create(int statusCode, ApiError error) =>
        TypedResults.Json(error, ErrorsJsonContext.Default.ApiError, statusCode: statusCode);

    /// <summary>422 <c>api_error.request.validation_failed</c> listing every invalid input.</summary>
    public static IResult Validation(IReadOnlyList<ValidationError> errors) =>
        Create(StatusCodes.Status422UnprocessableEntity, new ApiError(ApiErrorCodes.ValidationFailed, string.Join(" ", errors.Select(e => e.Message))) { ValidationErrors = errors });

    public static Task WriteAsync(HttpContext context, int statusCode, string errorCode, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(
            new ApiError(errorCode, message),
            ErrorsJsonContext.Default.ApiError,
            contentType: "application/json",
            cancellationToken: context.RequestAborted);
    }

    /// <summary>The error code and message used when a response has a bare error status and no body.</summary>
    public static (string ErrorCode, string Message) ForStatus(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => (ApiErrorCodes.BadRequest, "The request could not be read."),
        StatusCodes.Status401Unauthorized => (ApiErrorCodes.Unauthorized, "Authentication is required."),
        StatusCodes.Status403Forbidden => (ApiErrorCodes.Forbidden, "The access token does not allow this request."),
        StatusCodes.Status404NotFound => (ApiErrorCodes.NotFound, "No route matches this path."),
        StatusCodes.Status405MethodNotAllowed => (ApiErrorCodes.MethodNotAllowed, "This route does not accept the HTTP method."),
        StatusCodes.Status413PayloadTooLarge => (ApiErrorCodes.PayloadTooLarge, "The request body is too large."),
        StatusCodes.Status414UriTooLong => (ApiErrorCodes.UriTooLong, "The request target is too long."),
        StatusCodes.Status415UnsupportedMediaType => (ApiErrorCodes.UnsupportedMediaType, "The request content type is not supported."),
        StatusCodes.Status422UnprocessableEntity => (ApiErrorCodes.ValidationFailed, "The request failed validation."),
        StatusCodes.Status431RequestHeaderFieldsTooLarge => (ApiErrorCodes.HeadersTooLarge, "The request headers are too large."),
        StatusCodes.Status429TooManyRequests => (ApiErrorCodes.RateLimitExceeded, "Too many requests."),
        >= 500 => (ApiErrorCodes.InternalServerError, "An internal error occurred."),
        _ => (ApiErrorCodes.BadRequest, "The request was rejected."),
    };
}

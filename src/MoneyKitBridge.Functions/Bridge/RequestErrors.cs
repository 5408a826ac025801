using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>The MoneyKit-shaped answers of <see cref="RequestBody"/> and <see cref="RequestForm"/>.</summary>
internal static class RequestErrors
{
    public static IResult TooLarge(int maxBytes) =>
        ApiErrorResults.Create(StatusCodes.Status413PayloadTooLarge, ApiErrorCodes.PayloadTooLarge, $"The request body must be at most {maxBytes} bytes.");

    public static IResult UnsupportedMediaType(string message) =>
        ApiErrorResults.Create(StatusCodes.Status415UnsupportedMediaType, ApiErrorCodes.UnsupportedMediaType, message);

    /// <summary>400: not JSON (or a form) at all, or not of the expected shape.</summary>
    public static IResult NotJson(string message) =>
        ApiErrorResults.Create(StatusCodes.Status400BadRequest, ApiErrorCodes.BadRequest, message);

    /// <summary>422: readable, but its content cannot be accepted (reported at <paramref name="location"/>).</summary>
    public static IResult Malformed(string message, params string[] location) =>
        ApiErrorResults.Validation([new ValidationError(location.Length == 0 ? ["body"] : location, message, "value_error.malformed")]);
}

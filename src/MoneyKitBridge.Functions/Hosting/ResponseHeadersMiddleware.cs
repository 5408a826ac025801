using System.Buffers;
using Microsoft.AspNetCore.Http;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// Puts <c>X-Request-Id</c> (the caller's when it looks sane, else a new one) and <c>MoneyKit-Version</c> (the
/// version the request is served in, see <see cref="ApiVersions"/>) on every response, error answers included, and
/// records that version for the routes that shape by it. A caller asking for a version the bridge does not answer in is
/// refused with 422 <c>api_error.request.validation_failed</c> (headed with the default version), as MoneyKit refuses an
/// invalid header, rather than answered in another version's shape under the asked version's name.
/// </summary>
public sealed class ResponseHeadersMiddleware(RequestDelegate next)
{
    /// <summary>Request and response header carrying the request id.</summary>
    public const string RequestIdHeader = "X-Request-Id";

    /// <summary>Request and response header carrying the MoneyKit API version.</summary>
    public const string VersionHeader = ApiVersions.Header;

    /// <summary>
    /// The version a request without the header is answered in. This is the bridge's own contract with its callers;
    /// the version it pins on its calls to MoneyKit is <c>MoneyKit__Version</c>.
    /// </summary>
    public const string DefaultVersion = ApiVersions.Default;

    /// <summary>Every <c>MoneyKit-Version</c> a caller may ask for.</summary>
    public static IReadOnlyList<string> ServedVersions => ApiVersions.Supported;

    private const int MaxRequestIdLength = 128;

    private static readonly SearchValues<char> RequestIdChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    /// <summary>Runs the middleware.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var requestId = SaneRequestId(context.Request.Headers[RequestIdHeader]) ?? Guid.NewGuid().ToString("N");
        context.TraceIdentifier = requestId;
        var served = ApiVersions.TryResolve(context.Request.Headers[VersionHeader].ToString(), out var version);
        ApiVersions.Set(context, version);
        context.Response.OnStarting(() =>
        {
            // Set when the response starts so that error handlers clearing the response cannot drop them.
            context.Response.Headers[RequestIdHeader] = requestId;
            context.Response.Headers[VersionHeader] = version;
            return Task.CompletedTask;
        });
        return served ? next(context) : RefuseVersionAsync(context);
    }

    private static Task RefuseVersionAsync(HttpContext context)
    {
        var message = $"MoneyKit-Version must be one of: {string.Join(", ", ServedVersions)}.";
        context.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return context.Response.WriteAsJsonAsync(
            new ApiError(ApiErrorCodes.ValidationFailed, message) { ValidationErrors = [new ValidationError(["header", "moneykit-version"], message, "value_error")] },
            ErrorsJsonContext.Default.ApiError,
            contentType: "application/json",
            cancellationToken: context.RequestAborted);
    }

    /// <summary>The incoming request id if it is one short token of safe characters, else <see langword="null"/>.</summary>
    public static string? SaneRequestId(string? value) =>
        value is { Length: > 0 and <= MaxRequestIdLength } && !value.AsSpan().ContainsAnyExcept(RequestIdChars)
            ? value
            : null;
}

using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// The request-target and header limits, enforced by the app so that the answer is MoneyKit-shaped (414
/// <c>api_error.request.uri_too_long</c>, 431 <c>api_error.request.headers_too_large</c>, with <c>X-Request-Id</c>).
/// Kestrel's own limits are set to twice these (<see cref="ConfigureKestrel"/>): only a request beyond those is
/// refused by Kestrel itself, before the app runs, with an empty body (see README).
/// </summary>
public sealed class RequestLimitsMiddleware(RequestDelegate next)
{
    /// <summary>Longest request target (path and query, as sent) the app serves.</summary>
    public const int MaxTargetLength = 8 * 1024;

    /// <summary>Largest total of header names and values the app serves.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Gives Kestrel room above the app's limits, so the app sees (and shapes) most oversized requests.</summary>
    public static void ConfigureKestrel(KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Limits.MaxRequestLineSize = 2 * MaxTargetLength;
        options.Limits.MaxRequestHeadersTotalSize = 2 * MaxHeaderBytes;
    }

    /// <summary>Runs the middleware.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var targetLength = string.IsNullOrEmpty(target) ? context.Request.Path.Value?.Length + context.Request.QueryString.Value?.Length ?? 0 : target.Length;
        if (targetLength > MaxTargetLength)
        {
            return ApiErrorResults.WriteAsync(
                context, StatusCodes.Status414UriTooLong, ApiErrorCodes.UriTooLong, $"The request target must be at most {MaxTargetLength} characters.");
        }

        var headerBytes = 0L;
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                headerBytes += name.Length + (value?.Length ?? 0) + 4;
            }
        }

        return headerBytes > MaxHeaderBytes
            ? ApiErrorResults.WriteAsync(
                context, StatusCodes.Status431RequestHeaderFieldsTooLarge, ApiErrorCodes.HeadersTooLarge, $"The request headers must total at most {MaxHeaderBytes} bytes.")
            : next(context);
    }
}

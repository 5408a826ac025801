using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// Puts <c>X-Request-Id</c> (the caller's when it looks sane, else a new one) and <c>MoneyKit-Version</c>
/// (the caller's when it is a date, else the configured default) on every response, error answers included.
/// </summary>
public sealed class ResponseHeadersMiddleware(RequestDelegate next, IConfiguration configuration)
{
    /// <summary>Request and response header carrying the request id.</summary>
    public const string RequestIdHeader = "X-Request-Id";

    /// <summary>Request and response header carrying the MoneyKit API version.</summary>
    public const string VersionHeader = "MoneyKit-Version";

    /// <summary>The version echoed when the caller sends none (setting <c>MoneyKit__Version</c>).</summary>
    public const string DefaultVersion = "2023-02-18";

    private const int MaxRequestIdLength = 128;

    private static readonly SearchValues<char> RequestIdChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    private readonly string defaultVersion = configuration["MoneyKit:Version"] is { Length: > 0 } configured
        ? configured
        : DefaultVersion;

    /// <summary>Runs the middleware.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var requestId = SaneRequestId(context.Request.Headers[RequestIdHeader]) ?? Guid.NewGuid().ToString("N");
        var version = SaneVersion(context.Request.Headers[VersionHeader]) ?? defaultVersion;
        context.TraceIdentifier = requestId;
        context.Response.OnStarting(() =>
        {
            // Set when the response starts so that error handlers clearing the response cannot drop them.
            context.Response.Headers[RequestIdHeader] = requestId;
            context.Response.Headers[VersionHeader] = version;
            return Task.CompletedTask;
        });
        return next(context);
    }

    /// <summary>The incoming request id if it is one short token of safe characters, else <see langword="null"/>.</summary>
    public static string? SaneRequestId(string? value) =>
        value is { Length: > 0 and <= MaxRequestIdLength } && !value.AsSpan().ContainsAnyExcept(RequestIdChars)
            ? value
            : null;

    private static string? SaneVersion(string? value) =>
        value is { Length: 10 } && DateOnly.TryParseExact(value, "yyyy-MM-dd", out _) ? value : null;
}

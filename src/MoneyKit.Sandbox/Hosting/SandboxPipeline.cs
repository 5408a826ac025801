using System.Security.Cryptography;
using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Control;

namespace MoneyKit.Sandbox;

/// <summary>
/// Around every request: <c>X-Request-Id</c>, <c>MoneyKit-Version</c> (a served version, else 422), injected faults and the request log
/// (MoneyKit API calls only, not the <c>/sandbox</c> control surface nor the <c>/connect</c> pages), and a MoneyKit-shaped 500 instead of a stack trace.
/// </summary>
internal static class SandboxPipeline
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var response = context.Response;
        response.Headers["X-Request-Id"] = "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var isApi = !context.Request.Path.StartsWithSegments("/sandbox") && !context.Request.Path.StartsWithSegments("/connect") && context.Request.Path != "/";
        var services = context.RequestServices;
        var time = services.GetRequiredService<TimeProvider>();
        var method = context.Request.Method;
        var path = context.Request.Path.Value ?? "/";
        var received = time.GetUtcNow().UtcDateTime;
        var version = ApiVersions.Resolve(context.Request);
        response.Headers[ApiVersions.Header] = version ?? ApiVersions.Default;
        if (version is null && isApi)
        {
            await UnknownVersion().ExecuteAsync(context);
            Log(context, received, StatusCodes.Status422UnprocessableEntity, null);
            return;
        }

        ApiVersions.Set(context, version ?? ApiVersions.Default);
        if (isApi && services.GetRequiredService<FaultRules>().Take(method, path) is { } fault)
        {
            if (fault.LatencyMs > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(fault.LatencyMs), time, context.RequestAborted);
            }

            if (fault.DropConnection)
            {
                Log(context, received, 0, fault.Id);
                context.Abort();
                return;
            }

            if (fault.Status is { } status)
            {
                await new ErrorResult(status, fault.Error(), fault.RetryAfter).ExecuteAsync(context);
                Log(context, received, status, fault.Id);
                return;
            }
        }

        try
        {
            await next(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !response.HasStarted)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger("MoneyKit.Sandbox").LogError(ex, "Unhandled sandbox error on {Method} {Path}", method, path);
            response.Clear();
            await new ErrorResult(StatusCodes.Status500InternalServerError, new MoneyKitError("api_error.internal_server_error", "Internal sandbox error.", null)).ExecuteAsync(context);
        }

        if (isApi)
        {
            Log(context, received, response.StatusCode, null);
        }
    }

    /// <summary>MoneyKit validates the header like any other request parameter: 422 <c>api_error.request.validation_failed</c>.</summary>
    private static ErrorResult UnknownVersion()
    {
        var message = "MoneyKit-Version must be one of: " + string.Join(", ", ApiVersions.Supported) + ".";
        return new ErrorResult(
            StatusCodes.Status422UnprocessableEntity,
            new MoneyKitError("api_error.request.validation_failed", message, null, null, [new ValidationProblem(["header", "moneykit-version"], message, "value_error")]));
    }

    private static void Log(HttpContext context, DateTime received, int status, string? fault)
    {
        var services = context.RequestServices;
        var request = context.Request;
        var note = RequestLogNote.Get(context);
        services.GetRequiredService<RequestLog>().Add(new RequestLogEntry(
            request.Method, request.Path.Value ?? "/", status, services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
            request.QueryString.HasValue ? request.QueryString.Value : null, received, fault, note?.NextCursor, note?.HasMore, note?.Products));
    }
}

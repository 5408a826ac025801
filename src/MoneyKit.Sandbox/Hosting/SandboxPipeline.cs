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
        var version = ApiVersions.Resolve(context.Request);
        response.Headers[ApiVersions.Header] = version ?? ApiVersions.Default;
        if (version is null && isApi)
        {
            await UnknownVersion().ExecuteAsync(context);
            Log(services, method, path, StatusCodes.Status422UnprocessableEntity, time);
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
                Log(services, method, path, 0, time);
                context.Abort();
                return;
            }

            if (fault.Status is { } status)
            {
                await new ErrorResult(status, fault.Error(), fault.RetryAfter).ExecuteAsync(context);
                Log(services, method, path, status, time);
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
            Log(services, method, path, response.StatusCode, time);
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

    private static void Log(IServiceProvider services, string method, string path, int status, TimeProvider time) =>
        services.GetRequiredService<RequestLog>().Add(new RequestLogEntry(method, path, status, time.GetUtcNow().UtcDateTime));
}

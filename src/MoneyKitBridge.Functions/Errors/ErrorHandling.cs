using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace MoneyKitBridge.Functions.Errors;

/// <summary>
/// Global error handling: unhandled exceptions become a 500 <c>api_error.internal_server_error</c> without any
/// detail, request-reading failures become 4xx, and bare error statuses (404 route, 405 method, binding
/// failures) get a MoneyKit-shaped body.
/// </summary>
public static class ErrorHandling
{
    private const int MaxMessageLength = 200;

    /// <summary>Adds the exception handler and status-code bodies to the pipeline (call before routing).</summary>
    public static IApplicationBuilder UseBridgeErrorHandling(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = HandleExceptionAsync,
            StatusCodeSelector = StatusFor,
            // Client input is not an application error: no error log (whose exception text could echo the input).
            SuppressDiagnosticsCallback = context => StatusFor(context.Exception) < StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages(context => WriteBareStatusAsync(context.HttpContext));
        return app;
    }

    private static int StatusFor(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        JsonException => StatusCodes.Status400BadRequest,
        // Backstop for readers that bypass RequestBody/RequestForm: malformed form, multipart, charset or bytes.
        InvalidDataException or DecoderFallbackException => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static Task HandleExceptionAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var status = exception is null ? StatusCodes.Status500InternalServerError : StatusFor(exception);
        var (code, message) = ApiErrorResults.ForStatus(status);
        if (exception is BadHttpRequestException && status < 500)
        {
            // Kestrel and parameter binding messages name the parameter or the limit that was hit.
            message = exception.Message.Length <= MaxMessageLength ? exception.Message : exception.Message[..MaxMessageLength] + "...";
        }

        return ApiErrorResults.WriteAsync(context, status, code, message);
    }

    private static Task WriteBareStatusAsync(HttpContext context)
    {
        var (code, message) = ApiErrorResults.ForStatus(context.Response.StatusCode);
        return ApiErrorResults.WriteAsync(context, context.Response.StatusCode, code, message);
    }
}

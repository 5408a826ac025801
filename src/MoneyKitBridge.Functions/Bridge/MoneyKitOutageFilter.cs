using System.Globalization;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>
/// For routes that call MoneyKit: when MoneyKit gives no answer or a 5xx (after the client's own retries), the app
/// gets a MoneyKit-shaped 503 <c>api_error.service_unavailable</c> with <c>Retry-After</c> instead of a bare 500.
/// </summary>
public sealed class MoneyKitOutageFilter : IEndpointFilter
{
    public const string ErrorCode = "api_error.service_unavailable";
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(30);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context);
        }
        catch (MoneyKitException e) when (IsOutage(e))
        {
            return Unavailable(context.HttpContext, e);
        }
    }

    /// <summary>Whether <paramref name="exception"/> means MoneyKit gave no answer or a 5xx.</summary>
    public static bool IsOutage(Exception exception) => exception is MoneyKitException { Status: 0 or >= 500 };

    /// <summary>The 503 answer for an outage, with <c>Retry-After</c> set on the response.</summary>
    public static IResult Unavailable(HttpContext context, MoneyKitException exception)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(exception);
        var wait = exception.RetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero ? retryAfter : DefaultRetryAfter;
        context.Response.Headers.RetryAfter = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ApiErrorResults.Create(StatusCodes.Status503ServiceUnavailable, ErrorCode, "MoneyKit is not available right now. Try again later.");
    }
}

public static class MoneyKitOutageFilterExtensions
{
    /// <summary>Adds <see cref="MoneyKitOutageFilter"/> to a route that calls MoneyKit.</summary>
    public static RouteHandlerBuilder WithMoneyKitOutageHandling(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<RouteHandlerBuilder, MoneyKitOutageFilter>();
}

using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>
/// Enforces <see cref="BridgeScopeRequirement"/> on the selected endpoint (after routing, before the handler and its
/// parameter binding): 401 <c>api_error.auth.unauthorized</c> for a missing or invalid token, 401
/// <c>api_error.auth.expired_access_token</c> for an expired one, 429 <c>api_error.rate_limit_exceeded</c> with
/// <c>Retry-After</c> when the client's budget is spent, 403 <c>api_error.auth.forbidden</c> for a missing scope.
/// </summary>
public sealed class BridgeAuthMiddleware(RequestDelegate next, BridgeAccessTokens tokens, ClientRateLimiter limiter)
{
    /// <summary>Runs the middleware.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var requirements = context.GetEndpoint()?.Metadata.GetOrderedMetadata<BridgeScopeRequirement>() ?? [];
        if (requirements.Count == 0)
        {
            await next(context);
            return;
        }

        var token = ReadBearerToken(context.Request);
        var validation = token is null ? AccessTokenValidation.Invalid : await tokens.ValidateAsync(token, context.RequestAborted);
        if (validation.Status != AccessTokenStatus.Valid)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            var (code, message) = validation.Status == AccessTokenStatus.Expired
                ? (ApiErrorCodes.ExpiredAccessToken, "The access token has expired; request a new one.")
                : (ApiErrorCodes.Unauthorized, token is null ? "A bearer access token is required." : "The access token is not valid.");
            await ApiErrorResults.WriteAsync(context, StatusCodes.Status401Unauthorized, code, message);
            return;
        }

        if (!limiter.TryAcquire(validation.ClientId!, out var retryAfter))
        {
            await RateLimited(context, retryAfter).ExecuteAsync(context);
            return;
        }

        if (requirements.FirstOrDefault(r => !validation.Scopes.Contains(r.Scope)) is { } missing)
        {
            await ApiErrorResults.WriteAsync(
                context, StatusCodes.Status403Forbidden, ApiErrorCodes.Forbidden, $"The access token lacks scope '{missing.Scope}'.");
            return;
        }

        context.User = BridgeAuthorization.CreatePrincipal(validation);
        await next(context);
    }

    /// <summary>429 <c>api_error.rate_limit_exceeded</c>, with <c>Retry-After</c> (whole seconds, at least 1) set on the response.</summary>
    internal static IResult RateLimited(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ApiErrorResults.Create(
            StatusCodes.Status429TooManyRequests, ApiErrorCodes.RateLimitExceeded, "Too many requests for this client; retry later.");
    }

    private static string? ReadBearerToken(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization];
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = value["Bearer ".Length..].Trim();
        return token.Length is > 0 and <= 4096 ? token : null;
    }
}

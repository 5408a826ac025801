using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Auth;

/// <summary><c>POST /api/auth/token</c>: the client-credentials grant for the bridge's own clients.</summary>
public static class AuthEndpoints
{
    /// <summary>Largest accepted token request body.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    private const string UnknownClientBucket = "token:(unknown client)";

    /// <summary>Maps the token endpoint (function <c>AuthToken</c>).</summary>
    public static RouteHandlerBuilder MapAuthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapBridgeRoute(BridgeRoutes.AuthToken, IssueTokenAsync);
    }

    internal static async Task<IResult> IssueTokenAsync(
        HttpContext context,
        BridgeClientStore clients,
        BridgeAccessTokens tokens,
        ClientRateLimiter limiter)
    {
        var cancellationToken = context.RequestAborted;
        var (request, error) = await ReadBodyAsync(context);
        if (error is not null)
        {
            return error;
        }

        if (!BasicCredentials.TryRead(context.Request, out var basic, out var basicProblem))
        {
            return Unauthorized(basicProblem);
        }

        if (basic is not null && (request.ClientSecret is not null || request.ClientId is not null))
        {
            return ApiErrorResults.Create(
                StatusCodes.Status400BadRequest, ApiErrorCodes.BadRequest, "Send client credentials either with HTTP Basic or in the body, not both.");
        }

        if (!string.Equals(request.GrantType, "client_credentials", StringComparison.Ordinal))
        {
            return ApiErrorResults.Create(
                StatusCodes.Status422UnprocessableEntity, ApiErrorCodes.ValidationFailed, "grant_type must be 'client_credentials'.");
        }

        var (clientId, clientSecret) = basic is null ? (request.ClientId, request.ClientSecret) : (basic.ClientId, basic.ClientSecret);
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret))
        {
            return Unauthorized("client_id and client_secret are required (in the body or with HTTP Basic).");
        }

        var bucket = await clients.ExistsAsync(clientId, cancellationToken) ? "token:" + clientId : UnknownClientBucket;
        if (!limiter.TryAcquire(bucket, out var retryAfter))
        {
            return BridgeAuthMiddleware.RateLimited(context, retryAfter);
        }

        var client = await clients.AuthenticateAsync(clientId, clientSecret, cancellationToken);
        if (client is null)
        {
            return Unauthorized("The client credentials are not valid.");
        }

        var requested = request.Scope?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (requested.FirstOrDefault(scope => !client.Scopes.Contains(scope)) is { } notGranted)
        {
            return ApiErrorResults.Create(
                StatusCodes.Status403Forbidden, ApiErrorCodes.Forbidden, $"The client is not granted scope '{Shorten(notGranted)}'.");
        }

        var response = await tokens.IssueAsync(client.ClientId, requested.Length > 0 ? requested.Distinct() : client.Scopes, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(response, AuthJsonContext.Default.TokenResponse);
    }

    /// <summary>The token request from a form or JSON body (or none, for HTTP Basic alone), through the shared body readers.</summary>
    private static async Task<(TokenRequest Request, IResult? Error)> ReadBodyAsync(HttpContext context)
    {
        var empty = new TokenRequest(null, null, null, null);
        var request = context.Request;
        if (request.ContentType is { } contentType && RequestMediaType.IsForm(contentType))
        {
            var (form, formError) = await RequestForm.ReadAsync(context, MaxBodyBytes);
            return form is null
                ? (empty, formError)
                : (new TokenRequest(RequestForm.OneValue(form, "grant_type"), RequestForm.OneValue(form, "client_id"), RequestForm.OneValue(form, "client_secret"), RequestForm.OneValue(form, "scope")), null);
        }

        if (request.ContentType is { } json && RequestMediaType.IsJson(json))
        {
            var (body, jsonError) = await RequestBody.ReadAsync(context, AuthJsonContext.Default.TokenRequest, MaxBodyBytes);
            return (body ?? empty, jsonError);
        }

        if (request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0 && string.IsNullOrEmpty(request.ContentType))
        {
            return (empty, null);
        }

        return (empty, ApiErrorResults.Create(
            StatusCodes.Status415UnsupportedMediaType,
            ApiErrorCodes.UnsupportedMediaType,
            "Send application/x-www-form-urlencoded or application/json."));
    }

    private static IResult Unauthorized(string message) =>
        ApiErrorResults.Create(StatusCodes.Status401Unauthorized, ApiErrorCodes.Unauthorized, message);

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";
}

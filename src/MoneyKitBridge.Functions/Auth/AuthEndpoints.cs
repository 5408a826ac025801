using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using MoneyKitBridge.Functions.Errors;

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
        return endpoints.MapPost("/api/auth/token", IssueTokenAsync)
            .WithName("AuthToken")
            .WithTags("Auth")
            .WithSummary("Exchange client credentials (form, JSON or HTTP Basic) for a short-lived bearer token.")
            .Produces<TokenResponse>()
            .Produces<ApiError>(StatusCodes.Status401Unauthorized);
    }

    private static async Task<IResult> IssueTokenAsync(
        HttpContext context,
        BridgeClientStore clients,
        BridgeAccessTokens tokens,
        ClientRateLimiter limiter)
    {
        var cancellationToken = context.RequestAborted;
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return ApiErrorResults.Create(StatusCodes.Status413PayloadTooLarge, ApiErrorCodes.PayloadTooLarge, "The token request is too large.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        var (request, error) = await ReadBodyAsync(context.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var basic = ReadBasicCredentials(context.Request, out var basicMalformed);
        if (basicMalformed)
        {
            return Unauthorized("The HTTP Basic credentials are malformed.");
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

        var (clientId, clientSecret) = basic ?? (request.ClientId, request.ClientSecret);
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

    private static async Task<(TokenRequest Request, IResult? Error)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var empty = new TokenRequest(null, null, null, null);
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            return (new TokenRequest(Single(form, "grant_type"), Single(form, "client_id"), Single(form, "client_secret"), Single(form, "scope")), null);
        }

        if (request.HasJsonContentType())
        {
            try
            {
                var body = await JsonSerializer.DeserializeAsync(request.Body, AuthJsonContext.Default.TokenRequest, cancellationToken);
                return (body ?? empty, null);
            }
            catch (JsonException)
            {
                return (empty, ApiErrorResults.Create(StatusCodes.Status400BadRequest, ApiErrorCodes.BadRequest, "The body is not valid JSON."));
            }
        }

        if (request.ContentLength is null or 0 && string.IsNullOrEmpty(request.ContentType))
        {
            return (empty, null);
        }

        return (empty, ApiErrorResults.Create(
            StatusCodes.Status415UnsupportedMediaType,
            ApiErrorCodes.UnsupportedMediaType,
            "Send application/x-www-form-urlencoded or application/json."));
    }

    private static (string ClientId, string ClientSecret)? ReadBasicCredentials(HttpRequest request, out bool malformed)
    {
        malformed = false;
        var header = request.Headers[HeaderNames.Authorization];
        if (header.Count == 0)
        {
            return null;
        }

        if (header.Count > 1 || header[0] is not { } value || !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            malformed = true;
            return null;
        }

        var encoded = value["Basic ".Length..].Trim();
        var bytes = new byte[encoded.Length];
        string decoded;
        try
        {
            decoded = Convert.TryFromBase64String(encoded, bytes, out var length)
                ? new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length)
                : "";
        }
        catch (DecoderFallbackException)
        {
            decoded = "";
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            malformed = true;
            return null;
        }

        // RFC 6749 §2.3.1: both parts are form-url-encoded before Basic encoding.
        return (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
    }

    private static string? Single(IFormCollection form, string key) =>
        form.TryGetValue(key, out var values) && values.Count == 1 ? values[0] : null;

    private static IResult Unauthorized(string message) =>
        ApiErrorResults.Create(StatusCodes.Status401Unauthorized, ApiErrorCodes.Unauthorized, message);

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";
}

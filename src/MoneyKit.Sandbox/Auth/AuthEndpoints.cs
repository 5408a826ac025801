using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using MoneyKit.Sandbox.Api;

namespace MoneyKit.Sandbox.Auth;

/// <summary><c>POST /auth/token</c> (client_credentials) and <c>GET /auth/introspect</c>.</summary>
internal static class AuthEndpoints
{
    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/auth/token", CreateTokenAsync);
        app.MapGet("/auth/introspect", Introspect).AddEndpointFilter<ApiAuthenticationFilter>();
    }

    private static async Task<IResult> CreateTokenAsync(HttpContext context, AccessTokens tokens, CancellationToken cancellationToken)
    {
        var request = context.Request;
        string? grantType = null, clientId = null, clientSecret = null;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            grantType = form["grant_type"].FirstOrDefault();
            clientId = form["client_id"].FirstOrDefault();
            clientSecret = form["client_secret"].FirstOrDefault();
        }
        else if (request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            var (body, error) = await JsonBody.ReadAsync(request, SandboxJsonContext.Default.TokenRequest, new TokenRequest(null, null, null, null), cancellationToken);
            if (error is not null)
            {
                return error;
            }

            (grantType, clientId, clientSecret) = (body!.GrantType, body.ClientId, body.ClientSecret);
        }

        if (TryReadBasic(request, out var basicId, out var basicSecret))
        {
            (clientId, clientSecret) = (basicId, basicSecret);
        }

        clientId ??= request.Headers["X-Client-Id"].FirstOrDefault();
        clientSecret ??= request.Headers["X-Client-Secret"].FirstOrDefault();

        if (grantType is not null && grantType != "client_credentials")
        {
            return ErrorResult.Validation("grant_type", "grant_type must be client_credentials.");
        }

        var app = tokens.FindApp(clientId, clientSecret);
        return app is null
            ? ErrorResult.Unauthorized()
            : TypedResults.Json(tokens.Issue(app), SandboxJsonContext.Default.TokenResponse);
    }

    private static JsonHttpResult<IntrospectResponse> Introspect(HttpContext context)
    {
        var clientId = ApiCaller.ClientId(context);
        // The sandbox has no per-client scopes: every client may do everything, so its scope list is empty.
        return TypedResults.Json(
            new IntrospectResponse(clientId, "Sandbox client " + clientId, string.Empty, new CustomerAppWire("app_" + clientId, "Sandbox app " + clientId)),
            SandboxJsonContext.Default.IntrospectResponse);
    }

    private static bool TryReadBasic(HttpRequest request, out string? clientId, out string? clientSecret)
    {
        (clientId, clientSecret) = (null, null);
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return false;
            }

            (clientId, clientSecret) = (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

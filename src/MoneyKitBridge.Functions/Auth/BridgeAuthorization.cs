using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>How endpoints require the bridge's bearer tokens and read the caller.</summary>
public static class BridgeAuthorization
{
    /// <summary>Claim type carrying the client id.</summary>
    public const string ClientIdClaim = "sub";

    /// <summary>Claim type carrying one granted scope.</summary>
    public const string ScopeClaim = "scope";

    /// <summary>
    /// Requires a valid bearer token with <paramref name="scope"/> (401/403/429 otherwise), checked before parameter
    /// binding. Apply to a route or a group: <c>group.RequireBridgeScope(BridgeScopes.LinksRead)</c>.
    /// </summary>
    public static TBuilder RequireBridgeScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        if (!BridgeScopes.All.Contains(scope))
        {
            throw new ArgumentException($"Unknown scope '{scope}'.", nameof(scope));
        }

        return builder.WithMetadata(new BridgeScopeRequirement(scope));
    }

    /// <summary>The authenticated client's id, or <see langword="null"/> on anonymous routes.</summary>
    public static string? GetBridgeClientId(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.User.FindFirstValue(ClientIdClaim);
    }

    internal static ClaimsPrincipal CreatePrincipal(AccessTokenValidation token)
    {
        var claims = new List<Claim> { new(ClientIdClaim, token.ClientId!) };
        claims.AddRange(token.Scopes.Select(scope => new Claim(ScopeClaim, scope)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "Bearer", ClientIdClaim, null));
    }
}

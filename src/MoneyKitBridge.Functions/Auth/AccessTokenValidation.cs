namespace MoneyKitBridge.Functions.Auth;

/// <summary>The result of checking a bearer token.</summary>
/// <param name="Status">Whether the token can be used.</param>
/// <param name="ClientId">The client the token was issued to, when valid.</param>
/// <param name="Scopes">The token's scopes, when valid.</param>
public sealed record AccessTokenValidation(AccessTokenStatus Status, string? ClientId, IReadOnlySet<string> Scopes)
{
    /// <summary>An invalid token.</summary>
    public static AccessTokenValidation Invalid { get; } = new(AccessTokenStatus.Invalid, null, new HashSet<string>());

    /// <summary>An expired token.</summary>
    public static AccessTokenValidation Expired { get; } = new(AccessTokenStatus.Expired, null, new HashSet<string>());
}

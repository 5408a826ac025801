using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MoneyKitBridge.Functions.Secrets;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>
/// Issues and checks the bridge's access tokens: JWTs signed HS256 with secret <c>Auth:SigningKey</c> (base64,
/// at least 32 bytes) carrying <c>sub</c> = client id, <c>scope</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>.
/// </summary>
public sealed class BridgeAccessTokens(ISecretProvider secrets, IOptions<BridgeAuthOptions> options, TimeProvider time)
{
    /// <summary>Name of the secret holding the signing key.</summary>
    public const string SigningKeySecret = "Auth:SigningKey";

    /// <summary>Smallest accepted signing key, in bytes.</summary>
    public const int MinimumKeyBytes = 32;

    private const int MaxVerifiedTokens = 10_000;
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, VerifiedToken> verified = new(StringComparer.Ordinal);

    /// <summary>A new token for <paramref name="clientId"/> with <paramref name="scopes"/>.</summary>
    public async Task<TokenResponse> IssueAsync(string clientId, IEnumerable<string> scopes, CancellationToken cancellationToken)
    {
        var key = await GetKeyAsync(cancellationToken);
        var now = time.GetUtcNow();
        var lifetime = options.Value.TokenLifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = clientId,
                ["scope"] = string.Join(' ', scopes),
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        };
        return new TokenResponse(Handler.CreateToken(descriptor), "bearer", (int)lifetime.TotalSeconds);
    }

    /// <summary>
    /// Checks signature, issuer and audience, then the lifetime against <see cref="TimeProvider"/> without clock skew
    /// (the bridge is the only issuer, so its clock is the only one involved).
    /// </summary>
    public async Task<AccessTokenValidation> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var keyValue = await secrets.GetRequiredSecretAsync(SigningKeySecret, cancellationToken);

        // A token's signature and claims never change: verify it once per signing key, then only its lifetime.
        if (!verified.TryGetValue(token, out var entry) || !string.Equals(entry.KeyValue, keyValue, StringComparison.Ordinal))
        {
            entry = await VerifyAsync(token, keyValue);
            if (entry.Validation.Status != AccessTokenStatus.Valid)
            {
                return entry.Validation;
            }

            if (verified.Count >= MaxVerifiedTokens)
            {
                verified.Clear();
            }

            verified[token] = entry;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (now < entry.ValidFrom)
        {
            return AccessTokenValidation.Invalid;
        }

        return now >= entry.ValidTo ? AccessTokenValidation.Expired : entry.Validation;
    }

    private async Task<VerifiedToken> VerifyAsync(string token, string keyValue)
    {
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Value.Issuer,
            ValidAudience = options.Value.Issuer,
            IssuerSigningKey = KeyFrom(keyValue),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            // The lifetime is checked by the caller against the injected clock.
            ValidateLifetime = false,
        };
        var result = await Handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || !jwt.TryGetPayloadValue<long>("exp", out _))
        {
            return new VerifiedToken(AccessTokenValidation.Invalid, default, default, keyValue);
        }

        var clientId = result.Claims.TryGetValue(JwtRegisteredClaimNames.Sub, out var sub) ? sub as string : null;
        var scope = result.Claims.TryGetValue("scope", out var s) ? s as string : null;
        if (string.IsNullOrEmpty(clientId))
        {
            return new VerifiedToken(AccessTokenValidation.Invalid, default, default, keyValue);
        }

        var scopes = (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return new VerifiedToken(new AccessTokenValidation(AccessTokenStatus.Valid, clientId, scopes), jwt.ValidFrom, jwt.ValidTo, keyValue);
    }

    private sealed record VerifiedToken(AccessTokenValidation Validation, DateTime ValidFrom, DateTime ValidTo, string KeyValue);

    /// <summary>What is wrong with a signing key value, or <see langword="null"/> when it is usable.</summary>
    public static string? ValidateSigningKey(string value)
    {
        var bytes = new byte[Math.Max(0, value.Length)];
        return Convert.TryFromBase64String(value, bytes, out var length) && length >= MinimumKeyBytes
            ? null
            : $"expected base64 of at least {MinimumKeyBytes} random bytes (e.g. `openssl rand -base64 32`)";
    }

    private async Task<SymmetricSecurityKey> GetKeyAsync(CancellationToken cancellationToken) =>
        KeyFrom(await secrets.GetRequiredSecretAsync(SigningKeySecret, cancellationToken));

    private static SymmetricSecurityKey KeyFrom(string value)
    {
        var bytes = new byte[value.Length];
        if (!Convert.TryFromBase64String(value, bytes, out var length) || length < MinimumKeyBytes)
        {
            throw new Hosting.BridgeConfigurationException($"Secret '{SigningKeySecret}' is not a base64 key of at least {MinimumKeyBytes} bytes.");
        }

        return new SymmetricSecurityKey(bytes[..length]);
    }
}

using System.Text.Json.Serialization;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>The answer of <c>POST /api/auth/token</c>.</summary>
/// <param name="AccessToken">The bearer token (a signed JWT).</param>
/// <param name="TokenType">Always <c>bearer</c>.</param>
/// <param name="ExpiresIn">Seconds until the token expires.</param>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

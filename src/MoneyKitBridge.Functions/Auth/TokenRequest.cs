using System.Text.Json.Serialization;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>A JSON body of <c>POST /api/auth/token</c> (form bodies carry the same fields).</summary>
/// <param name="GrantType">Must be <c>client_credentials</c>.</param>
/// <param name="ClientId">Client id, unless sent with HTTP Basic.</param>
/// <param name="ClientSecret">Client secret, unless sent with HTTP Basic.</param>
/// <param name="Scope">Optional space-separated subset of the client's scopes.</param>
public sealed record TokenRequest(
    [property: JsonPropertyName("grant_type")] string? GrantType,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("client_secret")] string? ClientSecret,
    [property: JsonPropertyName("scope")] string? Scope);

using System.Text.Json.Serialization;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>One element of the <c>Auth:Clients</c> JSON array.</summary>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientSecret">The client secret in plain text (hashed at load, then dropped).</param>
/// <param name="Scopes">Granted scopes.</param>
public sealed record BridgeClientEntry(
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("client_secret")] string? ClientSecret,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string>? Scopes);

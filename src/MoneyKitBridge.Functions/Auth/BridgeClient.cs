namespace MoneyKitBridge.Functions.Auth;

/// <summary>A client of the bridge, as loaded from secret <c>Auth:Clients</c>; only a hash of its secret is kept.</summary>
/// <param name="ClientId">The public client id.</param>
/// <param name="SecretHash">SHA-256 of the client secret.</param>
/// <param name="Scopes">Scopes the client may request.</param>
public sealed record BridgeClient(string ClientId, ReadOnlyMemory<byte> SecretHash, IReadOnlySet<string> Scopes);

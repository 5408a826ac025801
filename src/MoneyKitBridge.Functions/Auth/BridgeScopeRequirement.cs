namespace MoneyKitBridge.Functions.Auth;

/// <summary>Endpoint metadata: the route needs a valid bearer token holding <paramref name="Scope"/>.</summary>
/// <param name="Scope">Required scope, e.g. <see cref="BridgeScopes.LinksRead"/>.</param>
public sealed record BridgeScopeRequirement(string Scope);

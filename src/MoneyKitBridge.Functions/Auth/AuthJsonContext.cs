using System.Text.Json.Serialization;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>Source-generated JSON metadata for the auth wire types.</summary>
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(List<BridgeClientEntry>))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace MoneyKitBridge.Functions.Links;

/// <summary>Body of <c>POST /api/links/{id}/products</c>.</summary>
public sealed record RefreshProductsRequest(IReadOnlyList<string>? Products);

/// <summary>Body of <c>POST /api/link-session/exchange-token</c>.</summary>
public sealed record ExchangeTokenRequest(string? ExchangeableToken);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RefreshProductsRequest))]
[JsonSerializable(typeof(ExchangeTokenRequest))]
internal sealed partial class LinkJsonContext : JsonSerializerContext;

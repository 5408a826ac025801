using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>Answer of <c>POST /link-session/exchange-token</c>.</summary>
public sealed record MoneyKitExchangeTokenResponse
{
    /// <summary><c>link_id</c> (deprecated by MoneyKit in favour of <see cref="Link"/>).</summary>
    public string? LinkId { get; init; }

    /// <summary><c>link</c>: the new link.</summary>
    public MoneyKitLink? Link { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Body of <c>POST /link-session/exchange-token</c>.</summary>
internal sealed record MoneyKitExchangeTokenRequest(string ExchangeableToken);

/// <summary>Body of <c>POST /links/{id}/products</c>.</summary>
internal sealed record MoneyKitRefreshProductsRequest(IReadOnlyList<string> Products);

/// <summary>Answer of <c>POST /auth/token</c>.</summary>
internal sealed record MoneyKitAccessTokenResponse(string AccessToken, string? TokenType, long ExpiresIn);

/// <summary>MoneyKit's error body.</summary>
internal sealed record MoneyKitErrorBody(string? ErrorCode, string? ErrorMessage, string? LinkErrorCode);

using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>Answer of <c>POST /link-session</c>.</summary>
public sealed record MoneyKitLinkSession
{
    /// <summary><c>link_session_token</c>: hand it to MoneyKit Connect.</summary>
    public required string LinkSessionToken { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>Answer of <c>GET /links/{id}/accounts</c>.</summary>
public sealed record MoneyKitAccountsResponse
{
    /// <summary><c>accounts</c>.</summary>
    public IReadOnlyList<MoneyKitAccount> Accounts { get; init; } = [];

    /// <summary><c>link</c>.</summary>
    public MoneyKitLink? Link { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

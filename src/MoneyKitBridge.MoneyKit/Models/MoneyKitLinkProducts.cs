using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary><c>products</c> of a link: the refresh state of each product the link has.</summary>
public sealed record MoneyKitLinkProducts
{
    /// <summary><c>accounts</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MoneyKitLinkProduct? Accounts { get; init; }

    /// <summary><c>account_numbers</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MoneyKitLinkProduct? AccountNumbers { get; init; }

    /// <summary><c>identity</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MoneyKitLinkProduct? Identity { get; init; }

    /// <summary><c>transactions</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MoneyKitLinkProduct? Transactions { get; init; }

    /// <summary><c>investments</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MoneyKitLinkProduct? Investments { get; init; }

    /// <summary><c>enrichment</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MoneyKitLinkProduct? Enrichment { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

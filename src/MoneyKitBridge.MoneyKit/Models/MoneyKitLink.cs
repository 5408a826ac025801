using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>A MoneyKit link (<c>LinkCommon</c>): one end-user login at one institution.</summary>
public sealed record MoneyKitLink
{
    /// <summary><c>link_id</c>.</summary>
    public required string LinkId { get; init; }

    /// <summary><c>institution_id</c>.</summary>
    public string? InstitutionId { get; init; }

    /// <summary><c>institution_name</c>.</summary>
    public string? InstitutionName { get; init; }

    /// <summary><c>institution_avatar</c>.</summary>
    public string? InstitutionAvatar { get; init; }

    /// <summary><c>state</c>; see <see cref="MoneyKitLinkStates"/>. Unknown values are kept as sent.</summary>
    public string? State { get; init; }

    /// <summary><c>error_code</c> (only when <see cref="State"/> is <c>error</c>); see <see cref="MoneyKitLinkErrorCodes"/>.</summary>
    public string? ErrorCode { get; init; }

    /// <summary><c>last_synced_at</c> (deprecated by MoneyKit).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? LastSyncedAt { get; init; }

    /// <summary><c>provider</c>, e.g. <c>moneykit</c>, <c>plaid</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Provider { get; init; }

    /// <summary><c>tags</c> (SDK model name).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary><c>link_tags</c> (name in the API reference examples).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? LinkTags { get; init; }

    /// <summary><c>webhook</c>: the webhook URL assigned to this link.</summary>
    public string? Webhook { get; init; }

    /// <summary><c>products</c>: refresh state per product.</summary>
    public MoneyKitLinkProducts? Products { get; init; }

    /// <summary><c>available_products</c>.</summary>
    public IReadOnlyList<string>? AvailableProducts { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

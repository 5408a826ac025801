using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>
/// Body of <c>POST /link-session</c>. When reconnecting (<see cref="ExistingLinkId"/>), always send the current
/// <see cref="Webhook"/> and <see cref="LinkTags"/> again: MoneyKit drops them when they are left out.
/// Nested objects MoneyKit defines in detail (settings, connect features, sandbox data) pass through as JSON.
/// </summary>
public sealed record CreateLinkSessionRequest
{
    /// <summary><c>customer_user</c> (required).</summary>
    public required MoneyKitCustomerUser CustomerUser { get; init; }

    /// <summary><c>existing_link_id</c>: reconnect this link.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ExistingLinkId { get; init; }

    /// <summary><c>institution_id</c>: skip the institution picker.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InstitutionId { get; init; }

    /// <summary><c>redirect_uri</c> for OAuth institutions.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RedirectUri { get; init; }

    /// <summary><c>webhook</c> URL for the link.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Webhook { get; init; }

    /// <summary><c>link_tags</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? LinkTags { get; init; }

    /// <summary><c>settings</c> (<c>providers</c>, <c>products</c>, <c>countries</c>), passed through.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Settings { get; init; }

    /// <summary><c>connect_features</c>, passed through.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? ConnectFeatures { get; init; }

    /// <summary><c>custom_sandbox_data</c> (sandbox only), passed through.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? CustomSandboxData { get; init; }

    /// <summary>Fields this model does not name, sent as given. Settable only because System.Text.Json must fill it.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary><c>customer_user</c> of a link session: your own user id plus optional contact details.</summary>
public sealed record MoneyKitCustomerUser
{
    /// <summary><c>id</c>: your own unique id for the user.</summary>
    public required string Id { get; init; }

    /// <summary><c>email</c>, passed through.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Email { get; init; }

    /// <summary><c>phone</c>, passed through.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Phone { get; init; }

    /// <summary>Fields this model does not name, sent as given. Settable only because System.Text.Json must fill it.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>Refresh state of one product of a link (<c>LinkProductResponse</c>).</summary>
public sealed record MoneyKitLinkProduct
{
    /// <summary><c>refreshed_at</c>: last time the product's data was updated. Compare before/after to detect new data.</summary>
    public DateTimeOffset? RefreshedAt { get; init; }

    /// <summary><c>last_attempted_at</c>: last time a refresh was attempted.</summary>
    public DateTimeOffset? LastAttemptedAt { get; init; }

    /// <summary><c>error_code</c> of the last failed attempt (rate_limit, auth_expired, ...). Unknown values are kept.</summary>
    public string? ErrorCode { get; init; }

    /// <summary><c>error_message</c> of the last failed attempt.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary><c>unavailable</c>: why the product cannot be refreshed now (past data stays readable).</summary>
    public string? Unavailable { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

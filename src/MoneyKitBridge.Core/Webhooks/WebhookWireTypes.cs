using System.Text.Json.Serialization;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>
/// A MoneyKit webhook event as posted (every event type in one shape; fields of other types stay null).
/// Timestamps without an offset are taken as UTC.
/// </summary>
public sealed record MoneyKitWebhookEvent
{
    public const string LinkStateChanged = "link.state_changed";
    public const string LinkProductRefresh = "link.product_refresh";
    public const string TransactionsUpdatesAvailable = "transactions.updates_available";

    [JsonRequired]
    public required string WebhookEvent { get; init; }

    [JsonRequired]
    public required int WebhookMajorVersion { get; init; }

    public int? WebhookMinorVersion { get; init; }

    [JsonRequired]
    [JsonConverter(typeof(WebhookTimestampConverter))]
    public required DateTimeOffset WebhookTimestamp { get; init; }

    [JsonRequired]
    public required string WebhookIdempotencyKey { get; init; }

    [JsonRequired]
    public required string LinkId { get; init; }

    public IReadOnlyList<string>? LinkTags { get; init; }

    /// <summary><c>link.state_changed</c>: the new link state; <c>link.product_refresh</c>: the refresh state.</summary>
    public string? State { get; init; }

    /// <summary><c>link.state_changed</c>: the link error code when the state is <c>error</c>.</summary>
    public string? Error { get; init; }

    public string? ErrorMessage { get; init; }

    /// <summary><c>link.product_refresh</c>: the product refreshed.</summary>
    public string? Product { get; init; }

    /// <summary><c>link.product_refresh</c>: when the product's refresh state changed.</summary>
    [JsonConverter(typeof(WebhookNullableTimestampConverter))]
    public DateTimeOffset? StateChangedAt { get; init; }

    /// <summary><c>transactions.updates_available</c>.</summary>
    public bool? HasHistory { get; init; }
}

internal sealed record JsonWebKey(string? Kty, string? Crv, string? X, string? Y, string? Kid, string? Alg, string? Use);

internal sealed record JsonWebKeySet(IReadOnlyList<JsonWebKey>? Keys);

/// <summary>MoneyKit-shaped error body.</summary>
public sealed record WebhookErrorBody(string ErrorCode, string ErrorMessage, string? DocumentationUrl);

/// <summary>Body of a 2xx answer.</summary>
public sealed record WebhookAcceptedBody(string Outcome);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(MoneyKitWebhookEvent))]
[JsonSerializable(typeof(JsonWebKeySet))]
[JsonSerializable(typeof(WebhookErrorBody))]
[JsonSerializable(typeof(WebhookAcceptedBody))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;

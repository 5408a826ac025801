using System.Text.Json.Serialization;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// A <c>link.state_changed</c> event that changed its link's state, recorded on the link's state row by the same write
/// (<see cref="LinkState.AppliedStateChanges"/>): its deduplication record and history entry, so applying it costs
/// one write instead of an event row plus the state row. <see cref="CommitId"/> identifies the processing that wrote
/// it, so a write whose answer was lost is recognised as its own on the next read.
/// </summary>
public sealed record AppliedStateChange(
    [property: JsonPropertyName("k")] string IdempotencyKey,
    [property: JsonPropertyName("t")] DateTimeOffset WebhookTimestamp,
    [property: JsonPropertyName("r")] DateTimeOffset ReceivedAt,
    [property: JsonPropertyName("a")] int Attempt,
    [property: JsonPropertyName("s")] string State,
    [property: JsonPropertyName("e")] string? ErrorCode,
    [property: JsonPropertyName("n")] string? CommitId = null)
{
    /// <summary>
    /// How many a state row keeps, newest first. A redelivery of an event that has dropped off the list is older than
    /// the state it would replace, so it is still refused (as stale, with an event row of its own).
    /// </summary>
    public const int Kept = 8;
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AppliedStateChange[]))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;

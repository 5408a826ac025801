using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>One page of <c>GET /links</c> (<c>GetLinksResponse</c>).</summary>
public sealed record MoneyKitLinksPage
{
    /// <summary><c>links</c>: the app's active links on this page.</summary>
    public IReadOnlyList<MoneyKitListedLink> Links { get; init; } = [];

    /// <summary><c>next_cursor</c>: where the next page starts; null or empty on the last page.</summary>
    public string? NextCursor { get; init; }

    /// <summary>True when another page follows.</summary>
    [JsonIgnore]
    public bool HasMore => !string.IsNullOrEmpty(NextCursor);
}

/// <summary>One entry of <c>GET /links</c> (<c>GetLinksLink</c>).</summary>
public sealed record MoneyKitListedLink
{
    /// <summary><c>link_id</c>.</summary>
    public required string LinkId { get; init; }

    /// <summary><c>created_at</c>.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}

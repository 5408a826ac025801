using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Data;
using MoneyKit.Sandbox.Institutions;
using MoneyKit.Sandbox.Transactions;

namespace MoneyKit.Sandbox.Links;

/// <summary>A link and all its data. Every read and write holds <see cref="Gate"/>.</summary>
internal sealed class SandboxLink
{
    public required string Id { get; init; }

    /// <summary>Creation order (1, 2, ...): the order and the cursor of <c>GET /links</c>.</summary>
    public long Sequence { get; init; }

    public required string ClientId { get; init; }

    public required string CustomerUserId { get; init; }

    public required SandboxInstitution Institution { get; init; }

    public string? Username { get; init; }

    public Lock Gate { get; } = new();

    public LinkState State { get; set; } = LinkState.Connected;

    public string? ErrorCode { get; set; }

    public string? Webhook { get; set; }

    public IReadOnlyList<string> LinkTags { get; set; } = [];

    public SandboxPendingMode PendingMode { get; set; }

    public Dictionary<string, ProductStatus> Products { get; } = new(StringComparer.Ordinal);

    public List<SandboxAccount> Accounts { get; } = [];

    public required SandboxOwner Owner { get; init; }

    public TransactionLedger Transactions { get; } = new();

    /// <summary>Content randomness (deterministic per user for the static users).</summary>
    public required Random DataRandom { get; init; }

    /// <summary>Id randomness (unique per link).</summary>
    public required Random IdRandom { get; init; }

    public int RefreshCount { get; set; }

    /// <summary>How many times the link's <c>transactions/sync</c> cursors were expired (sandbox control); older cursors are refused.</summary>
    public int CursorEpoch { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public bool Grants(string product) => Products.ContainsKey(product);

    /// <summary>The link object of every response. Caller holds <see cref="Gate"/>.</summary>
    public LinkWire ToWire() => new(
        Id,
        Institution.Id,
        Institution.Name,
        Institution.Avatar,
        State.ToWire(),
        State == LinkState.Error ? ErrorCode : null,
        LinkTags,
        Webhook,
        "moneykit",
        Products.ToDictionary(
            p => p.Key,
            p => new LinkProductWire(p.Value.RefreshedAt?.UtcDateTime, p.Value.LastAttemptedAt?.UtcDateTime, p.Value.ErrorCode, p.Value.ErrorMessage, null),
            StringComparer.Ordinal),
        SandboxProducts.Available);
}

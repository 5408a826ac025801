using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>Answer of <c>GET /links/{id}/transactions/sync</c>.</summary>
public sealed record MoneyKitTransactionSyncResponse
{
    /// <summary><c>transactions</c>: created, updated and removed since the cursor (unordered).</summary>
    public required MoneyKitTransactionChanges Transactions { get; init; }

    /// <summary><c>accounts</c>, when MoneyKit includes them.</summary>
    public IReadOnlyList<MoneyKitAccount>? Accounts { get; init; }

    /// <summary><c>cursor</c>: <c>next</c> is the cursor to store and send next time.</summary>
    public required MoneyKitSyncCursor Cursor { get; init; }

    /// <summary><c>has_more</c>: call again with <c>cursor.next</c> while true.</summary>
    public bool HasMore { get; init; }

    /// <summary><c>link</c>, including <c>products.transactions.refreshed_at</c>.</summary>
    public MoneyKitLink? Link { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary><c>transactions</c> of a sync page.</summary>
public sealed record MoneyKitTransactionChanges
{
    /// <summary><c>created</c>; pending transactions only ever arrive here.</summary>
    public IReadOnlyList<MoneyKitTransaction> Created { get; init; } = [];

    /// <summary><c>updated</c>.</summary>
    public IReadOnlyList<MoneyKitTransaction> Updated { get; init; } = [];

    /// <summary><c>removed</c>: ids of removed (never pending) transactions.</summary>
    public IReadOnlyList<string> Removed { get; init; } = [];

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary><c>cursor</c> of a sync page.</summary>
public sealed record MoneyKitSyncCursor
{
    /// <summary><c>next</c>.</summary>
    public string? Next { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

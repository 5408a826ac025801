using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>An account of a link (<c>AccountResponse</c>).</summary>
public sealed record MoneyKitAccount
{
    /// <summary><c>account_id</c>.</summary>
    public required string AccountId { get; init; }

    /// <summary><c>account_type</c>, e.g. <c>depository.checking</c> or <c>unknown</c>. Unknown values are kept.</summary>
    public string? AccountType { get; init; }

    /// <summary><c>name</c>.</summary>
    public string? Name { get; init; }

    /// <summary><c>account_mask</c>: last four characters of the account number.</summary>
    public string? AccountMask { get; init; }

    /// <summary><c>balances</c>.</summary>
    public MoneyKitAccountBalances? Balances { get; init; }

    /// <summary><c>original_id</c> (imported data only).</summary>
    public string? OriginalId { get; init; }

    /// <summary><c>closed</c>.</summary>
    public bool? Closed { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary><c>balances</c> of an account. Amounts are read from JSON strings or numbers and written as strings.</summary>
public sealed record MoneyKitAccountBalances
{
    /// <summary><c>currency</c> (ISO-4217).</summary>
    public string? Currency { get; init; }

    /// <summary><c>available</c>.</summary>
    [JsonConverter(typeof(MoneyKitNumberConverter))]
    public decimal? Available { get; init; }

    /// <summary><c>current</c>.</summary>
    [JsonConverter(typeof(MoneyKitNumberConverter))]
    public decimal? Current { get; init; }

    /// <summary><c>limit</c>.</summary>
    [JsonConverter(typeof(MoneyKitNumberConverter))]
    public decimal? Limit { get; init; }

    /// <summary><c>balance_date</c>: when the balance was captured.</summary>
    public DateTimeOffset? BalanceDate { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

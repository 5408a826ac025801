using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>A transaction (<c>TransactionResponse</c>).</summary>
public sealed record MoneyKitTransaction
{
    /// <summary><c>transaction_id</c>.</summary>
    public required string TransactionId { get; init; }

    /// <summary><c>account_id</c>.</summary>
    public required string AccountId { get; init; }

    /// <summary><c>amount</c>: never negative, <see cref="Type"/> gives the direction. Read from string or number, written as string.</summary>
    public required decimal Amount { get; init; }

    /// <summary><c>type</c>: <c>credit</c> or <c>debit</c>. Unknown values are kept.</summary>
    public string? Type { get; init; }

    /// <summary><c>currency</c> (ISO-4217).</summary>
    public string? Currency { get; init; }

    /// <summary><c>date</c>: posted date (initiation date when pending). Also accepts a date-time and keeps its date.</summary>
    public required DateOnly Date { get; init; }

    /// <summary><c>datetime</c>, when the institution provides the time.</summary>
    [JsonConverter(typeof(MoneyKitLocalTimestampConverter))]
    public DateTimeOffset? Datetime { get; init; }

    /// <summary><c>description</c>: cleaned description.</summary>
    public string? Description { get; init; }

    /// <summary><c>raw_description</c>.</summary>
    public string? RawDescription { get; init; }

    /// <summary><c>pending</c>. Pending transactions only ever arrive in <c>created</c> of a sync.</summary>
    public bool Pending { get; init; }

    /// <summary><c>category</c> (deprecated dotted category).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Category { get; init; }

    /// <summary><c>enrichment</c>: category, merchant, processor, recurrence.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MoneyKitTransactionEnrichment? Enrichment { get; init; }

    /// <summary><c>original_id</c> (imported data only).</summary>
    public string? OriginalId { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

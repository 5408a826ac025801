using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary><c>enrichment</c> of a transaction.</summary>
public sealed record MoneyKitTransactionEnrichment
{
    /// <summary><c>category</c>.</summary>
    public MoneyKitEnrichmentCategory? Category { get; init; }

    /// <summary><c>subcategory</c>.</summary>
    public MoneyKitEnrichmentCategory? Subcategory { get; init; }

    /// <summary><c>merchant</c>.</summary>
    public MoneyKitEnrichmentParty? Merchant { get; init; }

    /// <summary><c>processor</c>.</summary>
    public MoneyKitEnrichmentParty? Processor { get; init; }

    /// <summary><c>recurrence</c>.</summary>
    public MoneyKitEnrichmentRecurrence? Recurrence { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>An enrichment category or subcategory with its confidence.</summary>
public sealed record MoneyKitEnrichmentCategory
{
    /// <summary><c>value</c>, e.g. <c>food_and_drink</c>.</summary>
    public string? Value { get; init; }

    /// <summary><c>confidence</c> (0-100).</summary>
    public double? Confidence { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A merchant or payment processor recognised in a transaction.</summary>
public sealed record MoneyKitEnrichmentParty
{
    /// <summary><c>id</c>.</summary>
    public string? Id { get; init; }

    /// <summary><c>name</c>.</summary>
    public string? Name { get; init; }

    /// <summary><c>logo</c> URL.</summary>
    public string? Logo { get; init; }

    /// <summary><c>confidence</c> (0-100).</summary>
    public double? Confidence { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A predicted recurrence of a transaction.</summary>
public sealed record MoneyKitEnrichmentRecurrence
{
    /// <summary><c>frequency</c>, e.g. <c>monthly</c>.</summary>
    public string? Frequency { get; init; }

    /// <summary><c>next_predicted_date</c>.</summary>
    public DateOnly? NextPredictedDate { get; init; }

    /// <summary>Fields this model does not name, kept so they survive a round-trip. Settable only because System.Text.Json must fill it; treat it as read-only.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; set; }
}

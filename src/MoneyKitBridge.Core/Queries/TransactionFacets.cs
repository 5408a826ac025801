using System.Text.Json;

namespace MoneyKitBridge.Core.Queries;

/// <summary>
/// The fields of a stored transaction's MoneyKit JSON that the user-transaction filters read: <c>type</c>
/// (<c>credit</c>/<c>debit</c>) and the categories (the deprecated top-level <c>category</c> and
/// <c>enrichment.category.value</c>, which MoneyKit documents as its replacement). Read only when such a filter is given.
/// </summary>
public sealed record TransactionFacets(string? Type, IReadOnlyList<string> Categories)
{
    private static readonly TransactionFacets None = new(null, []);

    /// <summary>The facets of one transaction's JSON; nothing when the JSON is not an object.</summary>
    public static TransactionFacets Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return None;
            }

            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var categories = new List<string>(2);
            if (root.TryGetProperty("category", out var c) && c.ValueKind == JsonValueKind.String && c.GetString() is { Length: > 0 } category)
            {
                categories.Add(category);
            }

            if (root.TryGetProperty("enrichment", out var e) && e.ValueKind == JsonValueKind.Object
                && e.TryGetProperty("category", out var ec) && ec.ValueKind == JsonValueKind.Object
                && ec.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } enriched
                && !categories.Contains(enriched, StringComparer.Ordinal))
            {
                categories.Add(enriched);
            }

            return new TransactionFacets(type, categories);
        }
        catch (JsonException)
        {
            return None; // stored rows hold MoneyKit's JSON; a row that is not JSON matches no type or category filter
        }
    }

    /// <summary>Whether the transaction passes the type and category filters (null: no filter).</summary>
    public bool Matches(IReadOnlySet<string>? types, IReadOnlySet<string>? categories) =>
        (types is null || (Type is not null && types.Contains(Type)))
        && (categories is null || Categories.Any(categories.Contains));
}

using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Institutions;

/// <summary>One copy of MoneyKit's institution list, ordered by institution id (ordinal), and when it was fetched.</summary>
public sealed class InstitutionList
{
    private readonly Dictionary<string, InstitutionRow> byId;

    public InstitutionList(string generation, DateTimeOffset fetchedAt, IEnumerable<InstitutionRow> institutions)
    {
        ArgumentNullException.ThrowIfNull(institutions);
        Generation = generation;
        FetchedAt = fetchedAt;
        Institutions = [.. institutions.OrderBy(i => i.InstitutionId, StringComparer.Ordinal)];
        byId = Institutions.ToDictionary(i => i.InstitutionId, StringComparer.Ordinal);
    }

    public string Generation { get; }

    public DateTimeOffset FetchedAt { get; }

    public IReadOnlyList<InstitutionRow> Institutions { get; }

    public InstitutionRow? Find(string institutionId) => byId.GetValueOrDefault(institutionId);
}

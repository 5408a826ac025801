using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// Key layout of table <c>institutions</c>: one partition per copy of MoneyKit's list (a generation, named by the time
/// it was fetched) holding one row per institution, and the <see cref="InstitutionCatalogRow"/> that names the current
/// generation. A new copy is written whole into a new partition before the catalog row points at it, so readers on
/// any instance see either the old list or the new one, never a mix.
/// </summary>
public static class InstitutionKeys
{
    public const string CatalogPartition = "catalog";
    public const string CatalogRow = "current";
    public const string GenerationPrefix = "gen_";

    /// <summary>The partition of the copy fetched at <paramref name="fetchedAt"/>.</summary>
    public static string Generation(DateTimeOffset fetchedAt) =>
        GenerationPrefix + fetchedAt.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..8];

    public static string Institution(string institutionId) => TableKeys.ForValue(institutionId);
}

/// <summary>One institution of a generation: its id, the fields the list filters on, and MoneyKit's JSON as fetched.</summary>
public sealed record InstitutionRow(string InstitutionId, string Name, bool IsFeatured, string Json)
{
    public TableEntity ToEntity(string generation) =>
        new TableEntity(generation, InstitutionKeys.Institution(InstitutionId))
            .Put(nameof(InstitutionId), InstitutionId)
            .Put(nameof(Name), Name)
            .Put(nameof(IsFeatured), IsFeatured)
            .Put(nameof(Json), Json);

    public static InstitutionRow FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new(
            entity.GetString(nameof(InstitutionId)) ?? string.Empty,
            entity.GetString(nameof(Name)) ?? string.Empty,
            entity.GetBoolean(nameof(IsFeatured)) ?? false,
            entity.GetString(nameof(Json)) ?? "{}");
    }
}

/// <summary>
/// The catalog row: which generation is current and when it was fetched, and when the next revalidation may start
/// (<see cref="NextAttemptAt"/> doubles as the lease of the instance revalidating: others wait for it).
/// </summary>
public sealed record InstitutionCatalogRow(string? Generation, DateTimeOffset? FetchedAt, int Count, DateTimeOffset? NextAttemptAt, string? LastError)
{
    public ETag ETag { get; init; }

    public TableEntity ToEntity() =>
        new TableEntity(InstitutionKeys.CatalogPartition, InstitutionKeys.CatalogRow)
            .Put(nameof(Generation), Generation)
            .Put(nameof(FetchedAt), FetchedAt)
            .Put(nameof(Count), Count)
            .Put(nameof(NextAttemptAt), NextAttemptAt)
            .Put(nameof(LastError), LastError);

    public static InstitutionCatalogRow FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new(
            entity.GetString(nameof(Generation)),
            entity.GetDateTimeOffset(nameof(FetchedAt)),
            entity.GetInt32(nameof(Count)) ?? 0,
            entity.GetDateTimeOffset(nameof(NextAttemptAt)),
            entity.GetString(nameof(LastError)))
        {
            ETag = entity.ETag,
        };
    }
}

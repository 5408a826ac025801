using System.ComponentModel.DataAnnotations;

namespace MoneyKitBridge.Core.Institutions;

/// <summary>The shared copy of MoneyKit's institution list (section <c>Institutions</c>).</summary>
public sealed class InstitutionCacheOptions
{
    public const string SectionName = "Institutions";

    /// <summary>How long a copy is fresh. An older copy is still served while one instance fetches a new one.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>After a failed (or still running) revalidation, how long until the next may start.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an instance serves its in-memory copy before it reads the shared catalog row again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan LocalMaxAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Institutions per MoneyKit page when the list is fetched.</summary>
    [Range(1, 100)]
    public int FetchPageSize { get; set; } = 100;

    /// <summary>Pages fetched at most per copy (guards against a cursor that never ends).</summary>
    [Range(1, 100_000)]
    public int MaxPages { get; set; } = 1_000;
}

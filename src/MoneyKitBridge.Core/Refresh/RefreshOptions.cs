using System.ComponentModel.DataAnnotations;

namespace MoneyKitBridge.Core.Refresh;

/// <summary>The <c>RefreshStaleLinks</c> timer (section <c>RefreshStaleLinks</c>).</summary>
public sealed class RefreshOptions
{
    public const string SectionName = "RefreshStaleLinks";

    /// <summary>NCRONTAB (6 fields) of the timer; the Functions host reads the same app setting.</summary>
    [Required]
    public string Schedule { get; set; } = "0 */15 * * * *";

    /// <summary>Transactions older than this are refreshed.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>MoneyKit allows one transactions/accounts refresh per link per hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MinRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A requested refresh whose webhook has not come after this long is checked with GET /links/{id}.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ReconcileAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>After this long a requested refresh that never completed is given up (the next staleness check retries).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "2.00:00:00")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(2);

    [Range(1, 10_000)]
    public int MaxLinksPerRun { get; set; } = 200;

    [Range(1, 64)]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Wall-time budget of one run, well below the Functions timeout; no new work starts after it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan Budget { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>Upper bound of the random delay before each refresh (spreads the load).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxJitter { get; set; } = TimeSpan.FromSeconds(1);
}

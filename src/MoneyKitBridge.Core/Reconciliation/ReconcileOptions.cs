using System.ComponentModel.DataAnnotations;

namespace MoneyKitBridge.Core.Reconciliation;

/// <summary>The <c>Reconcile</c> timer job (section <c>Reconcile</c>; app settings <c>Reconcile__*</c>).</summary>
public sealed class ReconcileOptions
{
    public const string SectionName = "Reconcile";

    /// <summary>NCRONTAB (6 fields, UTC) of the timer; the Functions host reads the same app setting. Daily by default.</summary>
    [Required]
    public string Schedule { get; set; } = "0 30 2 * * *";

    /// <summary>
    /// A new cycle starts only this long after the previous one completed, so firings on every instance (or a schedule
    /// more frequent than the cycle) never repeat a finished walk; a cycle under way continues at every firing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan MinCycleInterval { get; set; } = TimeSpan.FromHours(20);

    /// <summary>Links per page of MoneyKit's <c>GET /links</c>, and per batch of the bridge's own links.</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 200;

    /// <summary>Most pages and batches one run handles.</summary>
    [Range(1, 100_000)]
    public int MaxPagesPerRun { get; set; } = 100;

    /// <summary>Most links one run examines; each costs at most one <c>GET /links/{id}</c> (MoneyKit allows 1,000 a minute per app).</summary>
    [Range(1, 1_000_000)]
    public int MaxLinksPerRun { get; set; } = 5000;

    /// <summary>
    /// Most links one run tombstones because MoneyKit no longer has them; on reaching it the run stops and logs an error.
    /// A guard against credentials of another MoneyKit app (which would answer 404 for every link): tombstones purge
    /// data and are final, so a mass of them waits for an operator. Raise it for a known mass deletion.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxTombstonesPerRun { get; set; } = 50;

    /// <summary>Wall-time budget of one run, well below the Functions timeout; no new page starts after it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan Budget { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>How long a run's claim on the walk lasts without a progress write (each page renews it); a crashed run's claim expires after it.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// True: a link MoneyKit lists that the bridge never stored (an exchange that crashed after MoneyKit answered) is
    /// stored for the customer user tagged on it and synced, as the exchange would have. False: it is only reported.
    /// </summary>
    public bool AdoptUnknownLinks { get; set; } = true;
}

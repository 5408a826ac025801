using System.ComponentModel.DataAnnotations;

namespace MoneyKitBridge.Core.Sync;

/// <summary>Tuning of the sync engine (section <c>Sync</c>).</summary>
public sealed class SyncOptions
{
    /// <summary>Transactions per <c>transactions/sync</c> page (MoneyKit allows 1..500).</summary>
    [Range(1, 500)]
    public int PageSize { get; set; } = 500;

    /// <summary>
    /// Table batches of one page written concurrently. The default page (500 transactions) is five batches of 100: all
    /// five go out at once, so a page never ends with one batch alone in flight while the storage service idles.
    /// </summary>
    [Range(1, 16)]
    public int MaxParallelBatches { get; set; } = 5;

    /// <summary>How long a sync lease lasts without being renewed (renewed on every page).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Sync history rows kept per link.</summary>
    [Range(1, 1000)]
    public int MaxHistory { get; set; } = 50;

    /// <summary>How long transactions may go without refresh before the timer refreshes the link.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// How long a removed transaction's tombstone is kept for the change feed (<c>transactions/sync</c> of the bridge).
    /// A feed cursor older than the purged tombstones is refused and its app starts over. Defaults to 30 days.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan TombstoneRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often a sync looks for tombstones past <see cref="TombstoneRetention"/>. Defaults to one day.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan TombstonePurgeInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long the rows of a snapshot generation a full resync retired are kept after the switch before a sync purges
    /// them: longer than any reader may still act on a state row copy naming the old generation
    /// (<c>LinkState:MaxAge</c>, at most a minute) plus the read itself. Defaults to 10 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan RetiredGenerationGrace { get; set; } = TimeSpan.FromMinutes(10);
}

using System.ComponentModel.DataAnnotations;

namespace MoneyKitBridge.Core.Storage;

/// <summary>How <see cref="LinkStateStore"/> caches state rows (section <c>LinkState</c>).</summary>
public sealed class LinkStateOptions
{
    public const string SectionName = "LinkState";

    /// <summary>
    /// How long a state row read by this process may serve reads that accept staleness (queries). Writes made in
    /// this process are seen at once (they invalidate); writes made by other instances within this window.
    /// </summary>
    /// <value>Defaults to 1 second; zero reads the row every time.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromSeconds(1);
}

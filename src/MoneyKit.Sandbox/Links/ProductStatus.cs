namespace MoneyKit.Sandbox.Links;

/// <summary>Refresh bookkeeping of one granted product of a link.</summary>
internal sealed class ProductStatus
{
    /// <summary>A product granted at <paramref name="now"/>: fetched then when prefetched, else empty until its first refresh.</summary>
    public static ProductStatus Create(bool prefetched, DateTimeOffset now) =>
        prefetched ? new ProductStatus { RefreshedAt = now, LastAttemptedAt = now } : new ProductStatus();

    /// <summary>Whether the product's data was ever fetched (prefetch or a completed refresh).</summary>
    public bool Fetched => RefreshedAt is not null;

    public DateTimeOffset? RefreshedAt { get; set; }

    public DateTimeOffset? LastAttemptedAt { get; set; }

    /// <summary>When the last refresh was requested through the API (drives MoneyKit's per-product limit).</summary>
    public DateTimeOffset? LastRequestedAt { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public bool Refreshing { get; set; }
}

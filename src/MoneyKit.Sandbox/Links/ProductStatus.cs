namespace MoneyKit.Sandbox.Links;

/// <summary>Refresh bookkeeping of one granted product of a link.</summary>
internal sealed class ProductStatus
{
    public DateTimeOffset? RefreshedAt { get; set; }

    public DateTimeOffset? LastAttemptedAt { get; set; }

    /// <summary>When the last refresh was requested through the API (drives MoneyKit's per-product limit).</summary>
    public DateTimeOffset? LastRequestedAt { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public bool Refreshing { get; set; }
}

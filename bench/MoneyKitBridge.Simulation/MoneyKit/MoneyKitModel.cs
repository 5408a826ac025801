namespace MoneyKitBridge.Simulation.MoneyKit;

/// <summary>Modelled MoneyKit behaviour (assumptions, printed with the results).</summary>
internal sealed record MoneyKitModel
{
    /// <summary>
    /// Per-app limit of <c>POST /links/{id}/products</c> per minute. MoneyKit's published table was cut off before this
    /// row; assumed equal to the documented <c>GET /links/{id}</c> per-app limit.
    /// </summary>
    public int AppRefreshesPerMinute { get; init; } = 1_000;

    /// <summary>Documented per-app limit of <c>GET /links/{id}</c> per minute.</summary>
    public int AppLinkReadsPerMinute { get; init; } = 1_000;

    /// <summary>Per-link limit of transactions/accounts refreshes (documented: one an hour).</summary>
    public TimeSpan PerLinkInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Time from an accepted refresh to its data (and webhook).</summary>
    public TimeSpan RefreshCompletion { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Share of webhooks (product refresh and state change) that never arrive.</summary>
    public double LostWebhookShare { get; init; } = 0.02;

    /// <summary>Share of links that fail into <c>error</c> (auth expired) per simulated day.</summary>
    public double FailuresPerLinkPerDay { get; init; } = 0.002;

    /// <summary>429 storms: every <see cref="StormEvery"/> (first one after half of it), MoneyKit refuses every call for <see cref="StormLength"/>.</summary>
    public TimeSpan StormEvery { get; init; } = TimeSpan.FromHours(8);

    public TimeSpan StormLength { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary><c>Retry-After</c> of a storm's 429s (above the client's 30 s retry cap, so the job sees them).</summary>
    public TimeSpan StormRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan RefreshLatency { get; init; } = TimeSpan.FromMilliseconds(400);

    public TimeSpan ReadLatency { get; init; } = TimeSpan.FromMilliseconds(150);

    public bool InStorm(TimeSpan sinceStart) =>
        StormLength > TimeSpan.Zero && sinceStart >= StormEvery / 2
        && (sinceStart - (StormEvery / 2)).Ticks % StormEvery.Ticks < StormLength.Ticks;
}

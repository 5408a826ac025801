namespace MoneyKitBridge.MoneyKit;

/// <summary>Settings of <see cref="MoneyKitClient"/>, bound from the configuration section <see cref="SectionName"/>.</summary>
public sealed class MoneyKitOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "MoneyKit";

    /// <summary>Base address of the MoneyKit API (or the sandbox emulator).</summary>
    /// <value>Required; an absolute <c>http</c> or <c>https</c> URL, e.g. <c>https://api.moneykit.com</c>.</value>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// The <c>MoneyKit-Version</c> values MoneyKit publishes. The client reads every one of them: the responses it
    /// parses (links, accounts, link sessions, transactions/sync) have the same shape in both.
    /// </summary>
    public static IReadOnlyList<string> KnownVersions { get; } = ["2023-02-18", "2023-12-14"];

    /// <summary>Value of the <c>MoneyKit-Version</c> header sent with every request (the version the bridge pins).</summary>
    /// <value>Defaults to <c>2023-02-18</c>; must be one of <see cref="KnownVersions"/>.</value>
    public string Version { get; set; } = "2023-02-18";

    /// <summary>Time allowed for one HTTP attempt (sending and reading the whole response).</summary>
    /// <value>Defaults to 30 seconds; must be positive.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a request failing with 408/429/5xx, a timeout or a connection error is retried.</summary>
    /// <value>Defaults to 3; 0 disables retries; at most 10.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// Longest wait between two attempts. A <c>Retry-After</c> longer than this is not waited for: the request fails
    /// with a <see cref="MoneyKitException"/> carrying <see cref="MoneyKitException.RetryAfter"/>.
    /// </summary>
    /// <value>Defaults to 30 seconds; must be positive.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long before the access token's <c>expires_in</c> runs out a new token is fetched.</summary>
    /// <value>Defaults to 2 minutes; capped at half the token's lifetime; must not be negative.</value>
    public TimeSpan TokenRefreshAhead { get; set; } = TimeSpan.FromMinutes(2);
}

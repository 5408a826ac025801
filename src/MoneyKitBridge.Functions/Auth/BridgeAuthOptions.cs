using System.ComponentModel.DataAnnotations;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>
/// Settings of the bridge's own client authentication (section <c>Auth</c>). The secrets <c>Auth:Clients</c> and
/// <c>Auth:SigningKey</c> come from the secret provider, not from here.
/// </summary>
public sealed class BridgeAuthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Auth";

    /// <summary>Lifetime of issued access tokens.</summary>
    /// <value>Defaults to 15 minutes; 1 minute to 1 day.</value>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Issuer and audience written into and required from tokens.</summary>
    /// <value>Defaults to <c>moneykit-bridge</c>.</value>
    [Required]
    public string Issuer { get; set; } = "moneykit-bridge";

    /// <summary>Sustained requests per second allowed per client (token bucket refill rate).</summary>
    /// <value>Defaults to 20; 0.01 to 100,000.</value>
    [Range(0.01, 100_000)]
    public double RateLimitPerSecond { get; set; } = 20;

    /// <summary>Requests a client may make in a burst (token bucket size).</summary>
    /// <value>Defaults to 100; 1 to 1,000,000.</value>
    [Range(1, 1_000_000)]
    public int RateLimitBurst { get; set; } = 100;
}

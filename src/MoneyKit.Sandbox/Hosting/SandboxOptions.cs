namespace MoneyKit.Sandbox;

/// <summary>How the sandbox settles pending transactions on the next transactions refresh.</summary>
public enum SandboxPendingMode
{
    /// <summary>The seed's behaviour: the pending transaction keeps its id and shows up in sync <c>updated</c> with <c>pending: false</c>.</summary>
    ResolveAsUpdate,

    /// <summary>MoneyKit's documented behaviour: pending transactions are dropped (never listed in <c>removed</c>) and replaced by new ones.</summary>
    ReplaceDropped,
}

/// <summary>One MoneyKit app's API key.</summary>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientSecret">The client secret.</param>
public sealed record SandboxApp(string ClientId, string ClientSecret);

/// <summary>Sandbox settings; bound from the configuration section <c>Sandbox</c> when run standalone.</summary>
public sealed class SandboxOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Sandbox";

    /// <summary>Apps and their API keys. Defaults to one app (<c>sandbox_client_id</c> / <c>sandbox_client_secret</c>).</summary>
    public IList<SandboxApp> Apps { get; } = [new SandboxApp("sandbox_client_id", "sandbox_client_secret")];

    /// <summary>Lifetime of access tokens from <c>POST /auth/token</c>. Defaults to one hour.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Seed of every random choice (ids, balances, transactions). Defaults to 42.</summary>
    public int RandomSeed { get; set; } = 42;

    /// <summary>Default pending behaviour of new links (a link may override it). Defaults to <see cref="SandboxPendingMode.ResolveAsUpdate"/>.</summary>
    public SandboxPendingMode PendingMode { get; set; } = SandboxPendingMode.ResolveAsUpdate;

    /// <summary>Accepted refresh requests per link over its lifetime. Defaults to 100.</summary>
    public int MaxRefreshesPerLink { get; set; } = 100;

    /// <summary>Minimum time between two refreshes of one product of one link. Defaults to one hour.</summary>
    public TimeSpan ProductRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a refresh takes. <see cref="TimeSpan.Zero"/> (default): it completes before <c>POST /links/{id}/products</c> answers.</summary>
    public TimeSpan RefreshDuration { get; set; } = TimeSpan.Zero;

    /// <summary>The <c>iss</c> claim of webhook signatures. Defaults to <c>https://api.moneykit.com</c>.</summary>
    public string WebhookIssuer { get; set; } = "https://api.moneykit.com";

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is unusable.</summary>
    public void Validate()
    {
        if (Apps.Count == 0)
        {
            throw new ArgumentException("Sandbox needs at least one app.", nameof(Apps));
        }

        foreach (var app in Apps)
        {
            if (string.IsNullOrWhiteSpace(app.ClientId) || string.IsNullOrWhiteSpace(app.ClientSecret))
            {
                throw new ArgumentException("Every sandbox app needs a client id and a client secret.", nameof(Apps));
            }
        }

        if (Apps.Select(a => a.ClientId).Distinct(StringComparer.Ordinal).Count() != Apps.Count)
        {
            throw new ArgumentException("Sandbox app client ids must be distinct.", nameof(Apps));
        }

        if (AccessTokenLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("AccessTokenLifetime must be positive.", nameof(AccessTokenLifetime));
        }

        if (MaxRefreshesPerLink < 0)
        {
            throw new ArgumentException("MaxRefreshesPerLink must not be negative.", nameof(MaxRefreshesPerLink));
        }

        if (ProductRefreshInterval < TimeSpan.Zero || RefreshDuration < TimeSpan.Zero)
        {
            throw new ArgumentException("Refresh interval and duration must not be negative.", nameof(RefreshDuration));
        }

        if (!Uri.TryCreate(WebhookIssuer, UriKind.Absolute, out _))
        {
            throw new ArgumentException("WebhookIssuer must be an absolute URI.", nameof(WebhookIssuer));
        }
    }
}

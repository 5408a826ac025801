using System.Collections.Concurrent;
using System.Security.Cryptography;
using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Institutions;

namespace MoneyKit.Sandbox.Connect;

/// <summary>Where a Connect session stands.</summary>
internal enum ConnectStep
{
    Institution,
    Credentials,
    Mfa,
    OAuth,
    Complete,
    Exchanged,
    Failed,
}

/// <summary>A link session from <c>POST /link-session</c>, driven headlessly through <c>/sandbox/connect/{token}</c>.</summary>
internal sealed class LinkSession
{
    public required string Token { get; init; }

    public required string ClientId { get; init; }

    public required string CustomerUserId { get; init; }

    public string? RedirectUri { get; init; }

    public string? Webhook { get; init; }

    public IReadOnlyList<string> LinkTags { get; init; } = [];

    public required IReadOnlyCollection<string> Products { get; init; }

    /// <summary><c>settings.products.*.prefetch</c> where the session states it (absent: Instant Bank prefetches, the others do not).</summary>
    public IReadOnlyDictionary<string, bool> Prefetch { get; init; } = new Dictionary<string, bool>(StringComparer.Ordinal);

    /// <summary>Products this session added to the link at login (all of them for a new link); only these can be declined at the grant step.</summary>
    public IReadOnlyList<string> AddedProducts { get; set; } = [];

    /// <summary>Whether the user already answered the grant step (it can be answered once, and is skipped to grant everything).</summary>
    public bool Granted { get; set; }

    /// <summary>The link's accounts once login succeeded (what the grant step chooses from), then what was granted.</summary>
    public IReadOnlyList<ConnectAccountWire>? Accounts { get; set; }

    /// <summary>The link's products once login succeeded, then what was granted.</summary>
    public IReadOnlyList<string>? LinkProducts { get; set; }

    public string? ExistingLinkId { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public Lock Gate { get; } = new();

    public ConnectStep Step { get; set; } = ConnectStep.Institution;

    public SandboxInstitution? Institution { get; set; }

    /// <summary>The Credentials Bank test user (e.g. <c>user_goodmfa_device</c>).</summary>
    public string? TestUser { get; set; }

    public string? LinkId { get; set; }

    public string? ExchangeableToken { get; set; }

    public string? ErrorCode { get; set; }
}

/// <summary>Open link sessions, by session token and by exchangeable token.</summary>
internal sealed class LinkSessions
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, LinkSession> sessions = new(StringComparer.Ordinal);

    public static string NewToken(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public void Add(LinkSession session) => sessions[session.Token] = session;

    public LinkSession? Find(string token) => sessions.TryGetValue(token, out var session) ? session : null;

    public LinkSession? FindByExchangeableToken(string token) =>
        sessions.Values.FirstOrDefault(s => s.ExchangeableToken is { } t && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(t), System.Text.Encoding.UTF8.GetBytes(token)));
}

namespace MoneyKitBridge.Functions.Auth;

/// <summary>Scopes a bridge client can hold.</summary>
public static class BridgeScopes
{
    /// <summary>Read links, accounts and transactions.</summary>
    public const string LinksRead = "links:read";

    /// <summary>Change links: link sessions, token exchange, refresh, delete.</summary>
    public const string LinksWrite = "links:write";

    /// <summary>
    /// Read the most sensitive data the bridge holds: account numbers and identity. Not implied by
    /// <see cref="LinksRead"/>; a client is given it explicitly in <c>Auth:Clients</c>.
    /// </summary>
    public const string LinksSensitive = "links:sensitive";

    /// <summary>
    /// The operator view: link health (state, errors, syncs, webhook outcomes) across all links, and nothing else. Not
    /// implied by any other scope; holds no secrets, tokens or account numbers.
    /// </summary>
    public const string OpsRead = "ops:read";

    /// <summary>
    /// Operator actions on one link: a full resync of its snapshot. Not implied by any other scope (not even
    /// <see cref="OpsRead"/>); reads no link data.
    /// </summary>
    public const string OpsWrite = "ops:write";

    /// <summary>Every scope the bridge knows.</summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { LinksRead, LinksWrite, LinksSensitive, OpsRead, OpsWrite };
}

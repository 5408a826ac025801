using MoneyKitBridge.Functions.Auth;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// The one route table of the app. Its constants are the <c>[Function]</c> names and <c>[HttpTrigger]</c> routes and
/// methods of worker mode, and <see cref="All"/> is what standalone mode maps (under <see cref="Prefix"/>, the
/// <c>extensions.http.routePrefix</c> of <c>host.json</c>), what the worker middleware reads for scopes and checks, and
/// what the one OpenAPI document of both modes is written from.
/// A test compares it with the <c>functions.metadata</c> the build emits.
/// </summary>
public static class BridgeRoutes
{
    /// <summary>Route prefix of every HTTP function (<c>host.json</c> <c>extensions.http.routePrefix</c>).</summary>
    public const string Prefix = "api";

    /// <summary>HTTP method names as the trigger attributes and <c>functions.metadata</c> spell them.</summary>
    public const string Get = "get";

    /// <inheritdoc cref="Get"/>
    public const string Post = "post";

    /// <inheritdoc cref="Get"/>
    public const string Delete = "delete";

    public const string AuthToken = nameof(AuthToken);
    public const string AuthTokenRoute = "auth/token";
    public const string GetLink = nameof(GetLink);
    public const string GetLinkRoute = "links/{link_id}";
    public const string GetLinkAccounts = nameof(GetLinkAccounts);
    public const string GetLinkAccountsRoute = "links/{link_id}/accounts";
    public const string GetLinkAccountNumbers = nameof(GetLinkAccountNumbers);
    public const string GetLinkAccountNumbersRoute = "links/{link_id}/accounts/numbers";
    public const string GetLinkIdentity = nameof(GetLinkIdentity);
    public const string GetLinkIdentityRoute = "links/{link_id}/identity";
    public const string GetLinkTransactions = nameof(GetLinkTransactions);
    public const string GetLinkTransactionsRoute = "links/{link_id}/transactions";
    public const string SyncLinkTransactions = nameof(SyncLinkTransactions);
    public const string SyncLinkTransactionsRoute = "links/{link_id}/transactions/sync";
    public const string RefreshLinkProducts = nameof(RefreshLinkProducts);
    public const string RefreshLinkProductsRoute = "links/{link_id}/products";
    public const string DeleteLink = nameof(DeleteLink);
    public const string DeleteLinkRoute = "links/{link_id}";
    public const string GetUserLinks = nameof(GetUserLinks);
    public const string GetUserLinksRoute = "users/{user_id}/links";
    public const string GetUserAccounts = nameof(GetUserAccounts);
    public const string GetUserAccountsRoute = "users/{user_id}/accounts";
    public const string GetUserTransactions = nameof(GetUserTransactions);
    public const string GetUserTransactionsRoute = "users/{user_id}/transactions";
    public const string CreateLinkSession = nameof(CreateLinkSession);
    public const string CreateLinkSessionRoute = "link-session";
    public const string ExchangeLinkSessionToken = nameof(ExchangeLinkSessionToken);
    public const string ExchangeLinkSessionTokenRoute = "link-session/exchange-token";
    public const string MoneyKitWebhook = nameof(MoneyKitWebhook);
    public const string MoneyKitWebhookRoute = "webhooks/moneykit";
    public const string GetInstitutions = nameof(GetInstitutions);
    public const string GetInstitutionsRoute = "institutions";
    public const string GetInstitution = nameof(GetInstitution);
    public const string GetInstitutionRoute = "institutions/{institution_id}";
    public const string GetOpsLinks = nameof(GetOpsLinks);
    public const string GetOpsLinksRoute = "ops/links";
    public const string GetOpsLink = nameof(GetOpsLink);
    public const string GetOpsLinkRoute = "ops/links/{link_id}";
    public const string ResyncOpsLink = nameof(ResyncOpsLink);
    public const string ResyncOpsLinkRoute = "ops/links/{link_id}/resync";
    public const string GetOpsPage = nameof(GetOpsPage);
    public const string GetOpsPageRoute = "ops";
    public const string GetOpenApiDocument = nameof(GetOpenApiDocument);
    public const string GetOpenApiDocumentRoute = "openapi/{documentName}.json";

    /// <summary>The timer function; the host and the standalone scheduler read its NCRONTAB from <see cref="RefreshStaleLinksSchedule"/>.</summary>
    public const string RefreshStaleLinks = nameof(RefreshStaleLinks);

    /// <summary>The schedule setting of <see cref="RefreshStaleLinks"/> (<c>RefreshStaleLinks__Schedule</c> as an app setting).</summary>
    public const string RefreshStaleLinksSchedule = "%RefreshStaleLinks:Schedule%";

    /// <summary>The reconciliation timer function; the host and the standalone scheduler read its NCRONTAB from <see cref="ReconcileSchedule"/>.</summary>
    public const string Reconcile = nameof(Reconcile);

    /// <summary>The schedule setting of <see cref="Reconcile"/> (<c>Reconcile__Schedule</c> as an app setting; daily by default).</summary>
    public const string ReconcileSchedule = "%Reconcile:Schedule%";

    /// <summary>The timer functions (never HTTP routes), each with its schedule setting.</summary>
    public static IReadOnlyList<(string Name, string Schedule)> Timers { get; } =
    [
        (RefreshStaleLinks, RefreshStaleLinksSchedule),
        (Reconcile, ReconcileSchedule),
    ];

    /// <summary>Every HTTP function, in the order the API documents them.</summary>
    public static IReadOnlyList<BridgeRoute> All { get; } =
    [
        new(AuthToken, Post, AuthTokenRoute, Scope: null, "Auth",
            "Exchange client credentials (form, JSON or HTTP Basic) for a short-lived bearer token."),
        new(GetLink, Get, GetLinkRoute, BridgeScopes.LinksRead, "Links", "The link as last seen from MoneyKit.", ChecksLinkId: true),
        new(GetLinkAccounts, Get, GetLinkAccountsRoute, BridgeScopes.LinksRead, "Links", "The link's accounts from the snapshot.", ChecksLinkId: true),
        new(GetLinkAccountNumbers, Get, GetLinkAccountNumbersRoute, BridgeScopes.LinksSensitive, "Links",
            "The link's account numbers from the snapshot (MoneyKit-Version 2023-02-18: numbers on each account; 2023-12-14: top-level numbers); scope links:sensitive.", ChecksLinkId: true),
        new(GetLinkIdentity, Get, GetLinkIdentityRoute, BridgeScopes.LinksSensitive, "Links",
            "The link's account owners from the snapshot (MoneyKit IdentityResponse); scope links:sensitive.", ChecksLinkId: true),
        new(GetLinkTransactions, Get, GetLinkTransactionsRoute, BridgeScopes.LinksRead, "Transactions",
            "Transactions of a link, newest first (MoneyKit-Version 2023-02-18: paged by page with totals; 2023-12-14: paged by cursor)."),
        new(SyncLinkTransactions, Get, SyncLinkTransactionsRoute, BridgeScopes.LinksRead, "Transactions",
            "The bridge's change feed of the link's transactions (MoneyKit's transactions/sync contract; replaced pending transactions are listed as removed).",
            ChecksLinkId: true),
        new(RefreshLinkProducts, Post, RefreshLinkProductsRoute, BridgeScopes.LinksWrite, "Links",
            "Ask MoneyKit to refresh products, within MoneyKit's per-link limits.", ChecksLinkId: true, CallsMoneyKit: true),
        new(DeleteLink, Delete, DeleteLinkRoute, BridgeScopes.LinksWrite, "Links",
            "Disconnect: delete at MoneyKit, purge stored data, keep a tombstone.", ChecksLinkId: true, CallsMoneyKit: true),
        new(GetUserLinks, Get, GetUserLinksRoute, BridgeScopes.LinksRead, "Users", "The customer user's links."),
        new(GetUserAccounts, Get, GetUserAccountsRoute, BridgeScopes.LinksRead, "Users",
            "The customer user's accounts by link (account_ids, institution_ids), from the snapshot."),
        new(GetUserTransactions, Get, GetUserTransactionsRoute, BridgeScopes.LinksRead, "Transactions",
            "Transactions across a customer user's links, newest first, paged."),
        new(CreateLinkSession, Post, CreateLinkSessionRoute, BridgeScopes.LinksWrite, "Link sessions",
            "Start MoneyKit Connect for a customer user.", CallsMoneyKit: true),
        new(ExchangeLinkSessionToken, Post, ExchangeLinkSessionTokenRoute, BridgeScopes.LinksWrite, "Link sessions",
            "Exchange Connect's token for a link; stores and syncs it.", CallsMoneyKit: true),
        new(GetInstitutions, Get, GetInstitutionsRoute, BridgeScopes.LinksRead, "Institutions",
            "MoneyKit's institutions (name, featured, cursor, limit), from the bridge's shared copy of MoneyKit's list.", CallsMoneyKit: true),
        new(GetInstitution, Get, GetInstitutionRoute, BridgeScopes.LinksRead, "Institutions",
            "One institution from the bridge's shared copy of MoneyKit's list.", CallsMoneyKit: true),
        new(MoneyKitWebhook, Post, MoneyKitWebhookRoute, Scope: null, "Webhooks", "MoneyKit webhooks (signed with ES256)."),
        new(GetOpsLinks, Get, GetOpsLinksRoute, BridgeScopes.OpsRead, "Operations",
            "Operator view: links by state, error code and staleness (state, error, stale, page, size), with sync lag and next refresh due; scope ops:read."),
        new(GetOpsLink, Get, GetOpsLinkRoute, BridgeScopes.OpsRead, "Operations",
            "Operator view: one link's health (products' refreshed_at, last sync, sync history, lag, next refresh, recent webhook outcomes); scope ops:read.",
            ChecksLinkId: true),
        new(ResyncOpsLink, Post, ResyncOpsLinkRoute, BridgeScopes.OpsWrite, "Operations",
            "Operator action: rebuild the link's snapshot from MoneyKit's feed from an empty cursor into a new generation while the current one keeps serving, then switch (202; change feed cursors of the old generation then answer cursor_expired); scope ops:write.",
            ChecksLinkId: true),
        new(GetOpsPage, Get, GetOpsPageRoute, Scope: null, "Operations",
            "The operator page (HTML): signs in with an ops:read client's credentials and reads the two routes above."),
        new(GetOpenApiDocument, Get, GetOpenApiDocumentRoute, Scope: null, "OpenAPI", "This OpenAPI document, written from the route table."),
    ];

    private static readonly Dictionary<string, BridgeRoute> ByName = All.ToDictionary(r => r.Name, StringComparer.Ordinal);

    /// <summary>The route of function <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No HTTP function has that name.</exception>
    public static BridgeRoute Named(string name) => ByName[name];

    /// <summary>The route of function <paramref name="name"/>, if it is an HTTP function.</summary>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BridgeRoute? route) =>
        ByName.TryGetValue(name, out route);
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKit.Sandbox.Api;

// MoneyKit's wire contract as the sandbox speaks it (snake_case through SandboxJsonContext).
// Kept apart from the bridge's client models on purpose: a mistake on either side shows up in tests.

internal sealed record MoneyKitError(
    string ErrorCode,
    string ErrorMessage,
    string? DocumentationUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LinkErrorCode = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ValidationProblem>? ValidationErrors = null);

internal sealed record ValidationProblem(IReadOnlyList<string> Loc, string Msg, string Type);

internal sealed record TokenRequest(string? GrantType, string? ClientId, string? ClientSecret, string? Scope);

internal sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

internal sealed record CustomerAppWire(string Id, string AppName);

/// <summary><c>IntrospectClientResponse</c>.</summary>
internal sealed record IntrospectResponse(string ClientId, string ClientName, string Scope, CustomerAppWire App);

internal sealed record LinkProductWire(DateTime? RefreshedAt, DateTime? LastAttemptedAt, string? ErrorCode, string? ErrorMessage, string? Unavailable);

internal sealed record LinkWire(
    string LinkId,
    string InstitutionId,
    string InstitutionName,
    string? InstitutionAvatar,
    string State,
    string? ErrorCode,
    IReadOnlyList<string> LinkTags,
    string? Webhook,
    string Provider,
    IReadOnlyDictionary<string, LinkProductWire> Products,
    IReadOnlyList<string> AvailableProducts);

/// <summary><c>GetLinksLink</c>: one entry of <c>GET /links</c> (MoneyKit lists ids and creation times only).</summary>
internal sealed record ListedLinkWire(string LinkId, DateTime CreatedAt);

/// <summary><c>GetLinksResponse</c>: a page of <c>GET /links</c>; <c>next_cursor</c> is null on the last page.</summary>
internal sealed record LinksPageResponse(IReadOnlyList<ListedLinkWire> Links, string? NextCursor);

internal sealed record PatchLinkRequest(JsonElement Webhook, IReadOnlyList<string>? LinkTags);

internal sealed record BalancesWire(string Currency, decimal? Available, decimal? Current, decimal? Limit, DateTime? BalanceDate);

internal sealed record AccountWire(string AccountId, string AccountType, string Name, string AccountMask, BalancesWire Balances, string? OriginalId, bool Closed);

internal sealed record AccountsResponse(IReadOnlyList<AccountWire> Accounts, LinkWire Link);

internal sealed record AccountResponse(AccountWire Account, LinkWire Link);

/// <summary>An ACH number in the top-level <c>numbers</c> of 2023-12-14 (it names its account).</summary>
internal sealed record AchNumberWire(string AccountId, string AccountNumber, string RoutingNumber, string? WireRoutingNumber);

/// <summary>An ACH number on an account (2023-02-18, <c>AchNumber</c>).</summary>
internal sealed record AccountAchNumberWire(string AccountNumber, string RoutingNumber, string? WireRoutingNumber);

/// <summary>
/// <c>numbers</c>: every list is required. The sandbox's banks are US banks, so <c>bacs</c>, <c>eft</c> and
/// <c>international</c> are always empty.
/// </summary>
internal sealed record AccountNumbersWire<TAch>(IReadOnlyList<TAch> Ach, IReadOnlyList<JsonElement> Bacs, IReadOnlyList<JsonElement> Eft, IReadOnlyList<JsonElement> International);

internal sealed record AccountNumbersResponse(IReadOnlyList<AccountWire> Accounts, AccountNumbersWire<AchNumberWire> Numbers, LinkWire Link);

internal sealed record AccountWithNumbersWire(
    string AccountId, string AccountType, string Name, string AccountMask, BalancesWire Balances, string? OriginalId, bool Closed, AccountNumbersWire<AccountAchNumberWire> Numbers);

internal sealed record AccountNumbersLegacyResponse(IReadOnlyList<AccountWithNumbersWire> Accounts, LinkWire Link);

internal sealed record AddressWire(string City, string Country, string PostalCode, string Region, string Street, bool Primary);

internal sealed record PhoneNumberWire(string Number, bool Primary, string Type);

internal sealed record EmailWire(string Address, bool Primary);

internal sealed record OwnerWire(IReadOnlyList<string> Names, IReadOnlyList<AddressWire> Addresses, IReadOnlyList<PhoneNumberWire> PhoneNumbers, IReadOnlyList<EmailWire> Emails);

internal sealed record AccountIdentityWire(
    string AccountId, string AccountType, string Name, string AccountMask, BalancesWire Balances, string? OriginalId, bool Closed, IReadOnlyList<OwnerWire> Owners);

internal sealed record IdentityResponse(IReadOnlyList<AccountIdentityWire> Accounts, LinkWire Link);

internal sealed record ConfidenceValueWire(string Value, int Confidence);

internal sealed record MerchantWire(string Id, string Name, string? Logo, int Confidence);

internal sealed record EnrichmentWire(ConfidenceValueWire Category, ConfidenceValueWire Subcategory, MerchantWire? Merchant, MerchantWire? Processor, JsonElement? Recurrence);

internal sealed record TransactionWire(
    string TransactionId,
    string AccountId,
    string Amount,
    string Type,
    string Currency,
    string Date,
    string? Datetime,
    string? Description,
    string? RawDescription,
    bool Pending,
    string? Category,
    EnrichmentWire? Enrichment,
    string? OriginalId);

internal sealed record TransactionsPageResponse(int Total, int Page, int Size, IReadOnlyList<TransactionWire> Transactions, IReadOnlyList<AccountWire> Accounts, LinkWire Link);

/// <summary>A cursor page (<c>CursorPagination</c>): <c>next</c> is null on the last page.</summary>
internal sealed record PageCursorWire(string? Next);

/// <summary>Transaction list of 2023-12-14 and later: cursor-paged, no totals.</summary>
internal sealed record TransactionsCursorResponse(IReadOnlyList<TransactionWire> Transactions, IReadOnlyList<AccountWire> Accounts, LinkWire Link, PageCursorWire Cursor);

internal sealed record SyncTransactionsWire(IReadOnlyList<TransactionWire> Created, IReadOnlyList<TransactionWire> Updated, IReadOnlyList<string> Removed);

internal sealed record CursorWire(string Next);

internal sealed record SyncResponse(SyncTransactionsWire Transactions, IReadOnlyList<AccountWire> Accounts, CursorWire Cursor, bool HasMore, LinkWire Link);

internal sealed record RefreshProductsRequest(IReadOnlyList<string>? Products);

internal sealed record JwkWire(string Kty, string Crv, string X, string Y, string Kid, string Alg, string Use);

internal sealed record JwksWire(IReadOnlyList<JwkWire> Keys);

internal sealed record JwtHeaderWire(string Alg, string Kid, string Typ);

internal sealed record JwtClaimsWire(string Iss, long Iat, string RequestBodySha256);

internal sealed record LinkStateChangedWebhook(
    string WebhookEvent, int WebhookMajorVersion, int WebhookMinorVersion, DateTime WebhookTimestamp, string WebhookIdempotencyKey,
    string LinkId, IReadOnlyList<string> LinkTags, string State, string? Error, string? ErrorMessage);

internal sealed record LinkProductRefreshWebhook(
    string WebhookEvent, int WebhookMajorVersion, int WebhookMinorVersion, DateTime WebhookTimestamp, string WebhookIdempotencyKey,
    string LinkId, IReadOnlyList<string> LinkTags, string Product, string State, DateTime StateChangedAt, string? ErrorMessage);

internal sealed record TransactionsUpdatesAvailableWebhook(
    string WebhookEvent, int WebhookMajorVersion, int WebhookMinorVersion, DateTime WebhookTimestamp, string WebhookIdempotencyKey,
    string LinkId, IReadOnlyList<string> LinkTags, bool HasHistory);

internal sealed record TestWebhookRequest(string? WebhookEvent, string? WebhookIdempotencyKey);

internal sealed record TestWebhookResponse(string DeliveryToken, string WebhookIdempotencyKey);

/// <summary>
/// <c>Institution</c>: MoneyKit's fields first, then the sandbox's own (<c>avatar</c>, <c>is_sandbox</c>,
/// <c>auth_type</c>, <c>available_products</c>), which MoneyKit clients ignore.
/// </summary>
internal sealed record InstitutionWire(
    string InstitutionId, IReadOnlyList<string> InstitutionIdAliases, string Name, string Country, string? Domain, string Color, string? ColorDark, bool IsFeatured,
    string? Avatar, bool IsSandbox, string AuthType, IReadOnlyList<string> AvailableProducts);

internal sealed record InstitutionsResponse(IReadOnlyList<InstitutionWire> Institutions, PageCursorWire Cursors);

// Sandbox control surface.
internal sealed record CreateSandboxLinkRequest(
    string? CustomerUserId, string? InstitutionId, string? Username, string? ClientId, IReadOnlyList<string>? Products,
    string? Webhook, IReadOnlyList<string>? LinkTags, string? PendingMode);

internal sealed record SeedTransactionsRequest(int? Count, int? Days);

internal sealed record SeedTransactionsResponse(int Added, int Total);

internal sealed record PatchTransactionRequest(decimal? Amount, string? Description);

internal sealed record SetLinkStateRequest(string? State, string? ErrorCode);

internal sealed record AdvanceClockRequest(double? Seconds);

internal sealed record ClockResponse(DateTime Now);

internal sealed record FaultRequest(
    string? Method, string? PathPrefix, int? Status, string? ErrorCode, int? RetryAfterSeconds, JsonElement? RetryAfterHttpDate,
    int? Count, int? LatencyMs, bool? DropConnection, int? Skip);

internal sealed record FaultResponse(string FaultId, int Count);

internal sealed record WebhookBehaviourRequest(JsonElement? FailNext, bool? Duplicate, bool? ReverseOrder);

/// <summary>
/// One MoneyKit API call: answered <paramref name="At"/>, received <paramref name="ReceivedAt"/> (both on the sandbox's
/// clock), with its query string, the fault that answered it instead of the API (if any), and what the handler noted
/// (<see cref="Control.RequestLogNote"/>: the feed position a sync page left the caller at, the products a refresh asked for).
/// </summary>
internal sealed record RequestLogEntry(
    string Method, string Path, int Status, DateTime At, string? Query = null, DateTime? ReceivedAt = null, string? Fault = null,
    string? NextCursor = null, bool? HasMore = null, IReadOnlyList<string>? Products = null);

internal sealed record WebhookDeliveryEntry(
    string Event, string LinkId, int Attempt, int Status, string WebhookIdempotencyKey, string DeliveryToken, string Url, DateTime At);

internal sealed record RotatedKey(string Kid);

internal sealed record ExpiredTokens(int Expired);

internal sealed record CustomerUserWire(string? Id, JsonElement? Email, JsonElement? Phone);

internal sealed record ProductSettingsWire(bool? Required, bool? Prefetch, string? Reason);

internal sealed record LinkSessionSettingsWire(IReadOnlyDictionary<string, ProductSettingsWire?>? Products, IReadOnlyList<string>? Providers, IReadOnlyList<string>? Countries);

internal sealed record CreateLinkSessionRequest(
    CustomerUserWire? CustomerUser, string? ExistingLinkId, string? InstitutionId, string? RedirectUri, string? Webhook,
    IReadOnlyList<string>? LinkTags, LinkSessionSettingsWire? Settings);

internal sealed record CreateLinkSessionResponse(string LinkSessionToken, DateTime LinkSessionTokenExpiry);

internal sealed record ExchangeTokenRequest(string? ExchangeableToken);

internal sealed record ExchangeTokenResponse(string LinkId, LinkWire Link);

internal sealed record ConnectInstitutionRequest(string? InstitutionId);

internal sealed record ConnectCredentialsRequest(string? Username, string? Password);

internal sealed record ConnectMfaRequest(IReadOnlyList<string>? Answers);

internal sealed record ConnectOAuthRequest(bool? Approve);

internal sealed record MfaQuestionWire(string Id, string Prompt, IReadOnlyList<string>? Options);

internal sealed record MfaWire(string Type, IReadOnlyList<MfaQuestionWire> Questions);

internal sealed record ConnectGrantRequest(IReadOnlyList<string>? AccountIds, IReadOnlyList<string>? Products);

internal sealed record ConnectAccountWire(string AccountId, string AccountType, string Name, string AccountMask);

/// <summary>A Connect step. At <c>complete</c>, <c>accounts</c> and <c>products</c> are what the link grants (before the optional grant step narrows them).</summary>
internal sealed record ConnectStepWire(
    string Step, string? InstitutionId, string? LinkId, MfaWire? Mfa, string? OauthUrl, string? ExchangeableToken, string? RedirectUrl, string? ErrorCode,
    IReadOnlyList<ConnectAccountWire>? Accounts = null, IReadOnlyList<string>? Products = null);

/// <summary><c>GetUserLinksResponse</c>: the user's links by link id.</summary>
internal sealed record UserLinksResponse(IReadOnlyDictionary<string, LinkWire> Links);

/// <summary><c>AccountGroup</c>: one link's accounts in <c>GetUserAccountsResponse</c>.</summary>
internal sealed record AccountGroupWire(IReadOnlyList<AccountWire> Accounts, DateTime? LastSyncedAt);

/// <summary><c>GetUserAccountsResponse</c>: the user's accounts grouped by link id.</summary>
internal sealed record UserAccountsResponse(IReadOnlyDictionary<string, AccountGroupWire> Links);

/// <summary><c>BasicAccountDetails</c>: an account of <c>GetUserTransactionsResponse</c>, keyed by its id.</summary>
internal sealed record BasicAccountDetailsWire(string Name, DateTime? LastSyncedAt, string InstitutionId, string LinkId);

/// <summary><c>GetUserTransactionsResponse</c>: page-paged in every version.</summary>
internal sealed record UserTransactionsResponse(int Total, int Page, int Size, IReadOnlyList<TransactionWire> Transactions, IReadOnlyDictionary<string, BasicAccountDetailsWire> Accounts);

using System.Text.Json.Serialization;

namespace MoneyKit.Sandbox.Api;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(MoneyKitError))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(IntrospectResponse))]
[JsonSerializable(typeof(LinkWire))]
[JsonSerializable(typeof(PatchLinkRequest))]
[JsonSerializable(typeof(AccountsResponse))]
[JsonSerializable(typeof(AccountResponse))]
[JsonSerializable(typeof(AccountNumbersResponse))]
[JsonSerializable(typeof(IdentityResponse))]
[JsonSerializable(typeof(TransactionsPageResponse))]
[JsonSerializable(typeof(SyncResponse))]
[JsonSerializable(typeof(RefreshProductsRequest))]
[JsonSerializable(typeof(JwksWire))]
[JsonSerializable(typeof(JwtHeaderWire))]
[JsonSerializable(typeof(JwtClaimsWire))]
[JsonSerializable(typeof(LinkStateChangedWebhook))]
[JsonSerializable(typeof(LinkProductRefreshWebhook))]
[JsonSerializable(typeof(TransactionsUpdatesAvailableWebhook))]
[JsonSerializable(typeof(TestWebhookRequest))]
[JsonSerializable(typeof(TestWebhookResponse))]
[JsonSerializable(typeof(InstitutionWire))]
[JsonSerializable(typeof(InstitutionsResponse))]
[JsonSerializable(typeof(CreateSandboxLinkRequest))]
[JsonSerializable(typeof(SeedTransactionsRequest))]
[JsonSerializable(typeof(SeedTransactionsResponse))]
[JsonSerializable(typeof(PatchTransactionRequest))]
[JsonSerializable(typeof(SetLinkStateRequest))]
[JsonSerializable(typeof(AdvanceClockRequest))]
[JsonSerializable(typeof(ClockResponse))]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(FaultResponse))]
[JsonSerializable(typeof(WebhookBehaviourRequest))]
[JsonSerializable(typeof(IReadOnlyList<RequestLogEntry>))]
[JsonSerializable(typeof(IReadOnlyList<WebhookDeliveryEntry>))]
[JsonSerializable(typeof(TransactionWire))]
[JsonSerializable(typeof(RotatedKey))]
[JsonSerializable(typeof(ExpiredTokens))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;

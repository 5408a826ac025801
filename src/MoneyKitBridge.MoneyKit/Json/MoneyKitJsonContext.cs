using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoneyKitBridge.MoneyKit;

/// <summary>
/// Source-generated JSON metadata for every MoneyKit wire type, snake_case as MoneyKit writes it. Amounts are read
/// from strings or numbers and written as strings; dates accept a date or a date-time; timestamps without an offset
/// are read as UTC. Use it to store or re-serve MoneyKit objects: unknown fields survive in each model's <c>Extra</c>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(MoneyKitAmountConverter), typeof(MoneyKitDateConverter), typeof(MoneyKitTimestampConverter)])]
[JsonSerializable(typeof(MoneyKitLink))]
[JsonSerializable(typeof(MoneyKitAccount))]
[JsonSerializable(typeof(MoneyKitTransaction))]
[JsonSerializable(typeof(IReadOnlyList<MoneyKitTransaction>))]
[JsonSerializable(typeof(IReadOnlyList<MoneyKitAccount>))]
[JsonSerializable(typeof(MoneyKitAccountsResponse))]
[JsonSerializable(typeof(MoneyKitTransactionSyncResponse))]
[JsonSerializable(typeof(MoneyKitLinkSession))]
[JsonSerializable(typeof(CreateLinkSessionRequest))]
[JsonSerializable(typeof(MoneyKitExchangeTokenResponse))]
[JsonSerializable(typeof(MoneyKitInstitutionsPage))]
[JsonSerializable(typeof(MoneyKitLinksPage))]
[JsonSerializable(typeof(MoneyKitProductResponse))]
public sealed partial class MoneyKitJsonContext : JsonSerializerContext;

/// <summary>Source-generated JSON metadata for the client's internal request and answer shapes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(MoneyKitExchangeTokenRequest))]
[JsonSerializable(typeof(MoneyKitRefreshProductsRequest))]
[JsonSerializable(typeof(MoneyKitAccessTokenResponse))]
[JsonSerializable(typeof(MoneyKitErrorBody))]
internal sealed partial class MoneyKitInternalJsonContext : JsonSerializerContext;

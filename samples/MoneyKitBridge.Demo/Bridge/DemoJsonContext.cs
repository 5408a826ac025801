using System.Text.Json.Serialization;

namespace MoneyKitBridge.Demo.Bridge;

/// <summary><c>POST /api/auth/token</c>'s answer (the fields the demo uses).</summary>
public sealed record TokenAnswer(string AccessToken, int ExpiresIn);

/// <summary><c>customer_user</c> of a link session.</summary>
public sealed record CustomerUser(string Id);

/// <summary>A product of <c>settings.products</c>: asked for, and fetched while the user is in Connect.</summary>
public sealed record ProductSetting(bool Required, bool Prefetch);

/// <summary><c>settings</c> of a link session.</summary>
public sealed record LinkSessionSettings(IReadOnlyDictionary<string, ProductSetting> Products);

/// <summary><c>POST /api/link-session</c>'s body.</summary>
public sealed record LinkSessionRequest(CustomerUser CustomerUser, string RedirectUri, LinkSessionSettings Settings);

/// <summary><c>POST /api/link-session</c>'s answer (the field the demo uses).</summary>
public sealed record LinkSessionAnswer(string LinkSessionToken);

/// <summary><c>POST /api/link-session/exchange-token</c>'s body.</summary>
public sealed record ExchangeRequest(string ExchangeableToken);

/// <summary><c>POST /api/link-session/exchange-token</c>'s answer (the field the demo uses).</summary>
public sealed record ExchangeAnswer(string LinkId);

/// <summary>What the page gets to open Connect.</summary>
public sealed record ConnectStart(string ConnectUrl);

/// <summary>An error of the demo backend itself, shaped like the bridge's.</summary>
public sealed record DemoError(string ErrorCode, string ErrorMessage);

/// <summary>The outcome of a refresh or disconnect: the bridge's status and, when it refused, its error.</summary>
public sealed record ActionOutcome(int BridgeStatus, string? ErrorCode, string? ErrorMessage);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenAnswer))]
[JsonSerializable(typeof(LinkSessionRequest))]
[JsonSerializable(typeof(LinkSessionAnswer))]
[JsonSerializable(typeof(ExchangeRequest))]
[JsonSerializable(typeof(ExchangeAnswer))]
[JsonSerializable(typeof(ConnectStart))]
[JsonSerializable(typeof(DemoError))]
[JsonSerializable(typeof(ActionOutcome))]
public sealed partial class DemoJsonContext : JsonSerializerContext;

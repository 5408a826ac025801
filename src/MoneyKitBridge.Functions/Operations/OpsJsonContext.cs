using System.Text.Json.Serialization;
using MoneyKitBridge.Core.Operations;

namespace MoneyKitBridge.Functions.Operations;

/// <summary>The operator routes' answers, snake_case like MoneyKit's.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LinkHealthPage))]
[JsonSerializable(typeof(LinkHealthDetail))]
[JsonSerializable(typeof(ResyncAccepted))]
internal sealed partial class OpsJsonContext : JsonSerializerContext;


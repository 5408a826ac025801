using System.Text.Json.Serialization;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>Source-generated JSON metadata for the host envelope (the host writes PascalCase names).</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(TimerInvocation))]
[JsonSerializable(typeof(TimerInvocationResult))]
internal sealed partial class HostingJsonContext : JsonSerializerContext;

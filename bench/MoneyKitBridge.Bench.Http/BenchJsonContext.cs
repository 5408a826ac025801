using System.Text.Json.Serialization;

namespace MoneyKitBridge.Bench.Http;

/// <summary>Source-generated JSON for the few shapes the benchmark writes and reads.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, object>))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;

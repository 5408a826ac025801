using System.Text.Json.Serialization;

namespace MoneyKitBridge.Functions.Errors;

/// <summary>Source-generated JSON metadata for <see cref="ApiError"/>.</summary>
[JsonSerializable(typeof(ApiError))]
internal sealed partial class ErrorsJsonContext : JsonSerializerContext;

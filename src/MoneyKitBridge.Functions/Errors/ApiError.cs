using System.Text.Json.Serialization;

namespace MoneyKitBridge.Functions.Errors;

/// <summary>The MoneyKit error body every failed bridge request answers with.</summary>
/// <param name="ErrorCode">A MoneyKit error code, e.g. <c>api_error.auth.unauthorized</c>.</param>
/// <param name="ErrorMessage">A human-readable explanation; never contains secrets or stack traces.</param>
/// <param name="DocumentationUrl">A link to documentation, usually <see langword="null"/>.</param>
public sealed record ApiError(
    [property: JsonPropertyName("error_code")] string ErrorCode,
    [property: JsonPropertyName("error_message")] string ErrorMessage,
    [property: JsonPropertyName("documentation_url")] string? DocumentationUrl = null);

using System.Text.Json.Serialization;

namespace MoneyKitBridge.Functions.Errors;

/// <summary>
/// MoneyKit's error body: <c>error_code</c>, <c>error_message</c>, <c>documentation_url</c>, plus <c>link_error_code</c>
/// on 422 <c>link_error.bad_state</c> and <c>validation_errors</c> on 422 <c>api_error.request.validation_failed</c>.
/// </summary>
public sealed record ApiError(
    [property: JsonPropertyName("error_code")] string ErrorCode,
    [property: JsonPropertyName("error_message")] string ErrorMessage,
    [property: JsonPropertyName("documentation_url")] string? DocumentationUrl = null)
{
    [JsonPropertyName("link_error_code")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LinkErrorCode { get; init; }

    [JsonPropertyName("validation_errors")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ValidationError>? ValidationErrors { get; init; }
}

/// <summary>One invalid input: where (<c>["query", "page"]</c>), what is wrong, and its kind.</summary>
public sealed record ValidationError(
    [property: JsonPropertyName("loc")] IReadOnlyList<string> Location,
    [property: JsonPropertyName("msg")] string Message,
    [property: JsonPropertyName("type")] string Type);

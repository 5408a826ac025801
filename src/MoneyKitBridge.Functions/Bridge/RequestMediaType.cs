using Microsoft.Net.Http.Headers;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>Which body kinds a <c>Content-Type</c> header names (unparseable headers name none).</summary>
internal static class RequestMediaType
{
    public static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>False when the header names a charset other than UTF-8 (or its ASCII subset): the only one the API reads.</summary>
    public static bool HasUtf8Charset(string contentType) =>
        !MediaTypeHeaderValue.TryParse(contentType, out var media)
        || media.Charset is not { Length: > 0 } charset
        || charset.Value is { } value && (value.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || value.Trim('"').Equals("utf8", StringComparison.OrdinalIgnoreCase)
            || value.Trim('"').Equals("us-ascii", StringComparison.OrdinalIgnoreCase));

    public static bool IsForm(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase));
}

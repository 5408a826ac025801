using Microsoft.Net.Http.Headers;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>Which body kinds a <c>Content-Type</c> header names (unparseable headers name none).</summary>
internal static class RequestMediaType
{
    public static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    public static bool IsForm(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase));
}

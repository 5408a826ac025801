using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>
/// Client credentials sent with HTTP Basic (RFC 6749 §2.3.1: both parts form-url-encoded, then Base64 of UTF-8).
/// Only the <c>Basic</c> scheme is client authentication: a <c>Bearer</c> header (a stale token a client keeps
/// sending) is ignored on the token route.
/// </summary>
public sealed record BasicCredentials(string ClientId, string ClientSecret)
{
    private const int MaxHeaderLength = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly SearchValues<char> ControlChars = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '\u007f']);

    /// <summary>
    /// <see langword="true"/> when the request carries no Basic credentials (<paramref name="credentials"/> null) or
    /// well-formed ones; <see langword="false"/> with a reason when an <c>Authorization</c> header is malformed.
    /// </summary>
    public static bool TryRead(HttpRequest request, out BasicCredentials? credentials, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        credentials = null;
        problem = null;
        var header = request.Headers[HeaderNames.Authorization];
        if (header.Count == 0 || (header.Count == 1 && IsBearer(header[0])))
        {
            return true;
        }

        if (header.Count > 1 || header[0] is not { Length: <= MaxHeaderLength } value || !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            problem = "The HTTP Basic credentials are malformed.";
            return false;
        }

        var encoded = value["Basic ".Length..].Trim();
        var bytes = new byte[encoded.Length];
        string decoded;
        try
        {
            decoded = Convert.TryFromBase64String(encoded, bytes, out var length) ? StrictUtf8.GetString(bytes, 0, length) : "";
        }
        catch (DecoderFallbackException)
        {
            decoded = "";
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !TryUnescape(decoded[..colon], out var id) || !TryUnescape(decoded[(colon + 1)..], out var secret))
        {
            problem = "The HTTP Basic credentials are malformed.";
            return false;
        }

        credentials = new BasicCredentials(id, secret);
        return true;
    }

    private static bool IsBearer(string? value) =>
        value is not null && (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || value.Equals("Bearer", StringComparison.OrdinalIgnoreCase));

    private static bool TryUnescape(string part, [NotNullWhen(true)] out string? value)
    {
        try
        {
            value = Uri.UnescapeDataString(part);
        }
        catch (UriFormatException)
        {
            value = null;
            return false;
        }

        if (value.AsSpan().ContainsAny(ControlChars))
        {
            value = null;
            return false;
        }

        return true;
    }
}

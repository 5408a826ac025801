using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>
/// Reads a form body (<c>application/x-www-form-urlencoded</c> or <c>multipart/form-data</c>) the way
/// <see cref="RequestBody"/> reads JSON: bounded, buffered, parsed by the framework with every parsing exception
/// turned into 422 <c>api_error.request.validation_failed</c>, and no control character (NUL included) in any name or
/// value.
/// </summary>
public static class RequestForm
{
    private static readonly SearchValues<char> ControlChars = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '\u007f']);

    /// <summary>The form, or an error result (an empty body is an empty form).</summary>
    public static async Task<(IFormCollection? Value, IResult? Error)> ReadAsync(HttpContext context, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (request.ContentType is not { } contentType || !RequestMediaType.IsForm(contentType))
        {
            return (null, RequestErrors.UnsupportedMediaType("The request body must be application/x-www-form-urlencoded."));
        }

        if (!RequestMediaType.HasUtf8Charset(contentType))
        {
            return (null, RequestErrors.Malformed("The form body must be encoded as UTF-8.", "header", "content-type"));
        }

        var (bytes, error) = await RequestBody.ReadRawAsync(context, maxBytes);
        if (error is not null)
        {
            return (null, error);
        }

        IFormCollection form;
        try
        {
            // The framework's parser, on the buffered bytes, with limits no larger than the body itself.
            request.Body = new MemoryStream(bytes, writable: false);
            request.ContentLength = bytes.Length;
            var feature = new FormFeature(request, new FormOptions
            {
                ValueCountLimit = 64,
                KeyLengthLimit = 256,
                ValueLengthLimit = maxBytes,
                MultipartBodyLengthLimit = maxBytes,
                MultipartHeadersLengthLimit = Math.Min(maxBytes, 16 * 1024),
                BufferBody = false,
            });
            form = await feature.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or DecoderFallbackException or ArgumentException or FormatException or IOException or BadHttpRequestException)
        {
            // Missing or broken multipart boundary, unknown charset, too many fields, undecodable bytes, ...
            return (null, RequestErrors.Malformed("The form body could not be read: it is not a well-formed form in a supported encoding."));
        }

        foreach (var (key, values) in form)
        {
            if (key.AsSpan().ContainsAny(ControlChars) || values.Any(v => v is not null && v.AsSpan().ContainsAny(ControlChars)))
            {
                return (null, RequestErrors.Malformed("Form fields must not hold control characters (NUL included)."));
            }
        }

        return (form, null);
    }

    /// <summary>The single value of field <paramref name="key"/>, or <see langword="null"/> when absent or repeated.</summary>
    public static string? OneValue(IFormCollection form, string key)
    {
        ArgumentNullException.ThrowIfNull(form);
        return form.TryGetValue(key, out var values) && values.Count == 1 ? values[0] : null;
    }
}

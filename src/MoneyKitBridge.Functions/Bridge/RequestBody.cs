using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>
/// The one way the bridge reads a request body (JSON or form): bounded size, an accepted content type, strict
/// decoding, and a MoneyKit-shaped 4xx for every way the input can be malformed — never an exception. Not JSON at all,
/// or JSON of the wrong shape: 400 <c>api_error.request.bad_request</c>. JSON or a form whose content cannot be
/// accepted (duplicate keys, invalid UTF-8, unpaired surrogates, NUL or control characters, broken form or multipart
/// encoding, unknown charset): 422 <c>api_error.request.validation_failed</c>. Too large: 413; other media types: 415.
/// </summary>
public static class RequestBody
{
    /// <summary>Largest body the API routes accept.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The parsed body (null when the body is empty), or an error result.</summary>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type, int maxBytes = MaxBytes)
        where T : class
    {
        var (bytes, error) = await ReadBytesAsync(context, maxBytes);
        if (error is not null)
        {
            return (null, error);
        }

        return TryParseJson(bytes, type, out var value, out error) ? (value, null) : (null, error);
    }

    /// <summary>The body as a JSON object, or an error result (an empty body or another JSON value is a 400).</summary>
    public static async Task<(JsonObject? Value, IResult? Error)> ReadObjectAsync(HttpContext context, int maxBytes = MaxBytes)
    {
        var (bytes, error) = await ReadBytesAsync(context, maxBytes);
        if (error is not null)
        {
            return (null, error);
        }

        return TryParseObject(bytes, out var value, out error) ? (value, null) : (null, error);
    }

    /// <summary>The raw bytes of a JSON body (empty when there is none), or an error result.</summary>
    public static Task<(byte[] Bytes, IResult? Error)> ReadBytesAsync(HttpContext context, int maxBytes = MaxBytes)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.ContentType is { } contentType && !RequestMediaType.IsJson(contentType))
        {
            return Task.FromResult<(byte[], IResult?)>(([], RequestErrors.UnsupportedMediaType("The request body must be application/json.")));
        }

        if (context.Request.ContentType is { } declared && !RequestMediaType.HasUtf8Charset(declared))
        {
            return Task.FromResult<(byte[], IResult?)>(([], RequestErrors.Malformed("The request body must be encoded as UTF-8.", "header", "content-type")));
        }

        return ReadRawAsync(context, maxBytes);
    }

    /// <summary>
    /// Parses <paramref name="bytes"/> as JSON of <paramref name="type"/> after <see cref="StrictJson.TryCheck"/>;
    /// an empty body gives <see langword="true"/> and a null value.
    /// </summary>
    public static bool TryParseJson<T>(
        ReadOnlySpan<byte> bytes, JsonTypeInfo<T> type, out T? value, [NotNullWhen(false)] out IResult? error)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(type);
        value = null;
        if (bytes.IsEmpty)
        {
            error = null;
            return true;
        }

        if (!StrictJson.TryCheck(bytes, out error))
        {
            return false;
        }

        try
        {
            value = JsonSerializer.Deserialize(bytes, type);
            return true;
        }
        catch (JsonException)
        {
            error = RequestErrors.NotJson("The request body is not valid JSON of the expected shape.");
            return false;
        }
    }

    /// <summary>Parses <paramref name="bytes"/> as one JSON object after <see cref="StrictJson.TryCheck"/>.</summary>
    public static bool TryParseObject(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out JsonObject? value, [NotNullWhen(false)] out IResult? error)
    {
        value = null;
        if (bytes.IsEmpty)
        {
            error = RequestErrors.NotJson("The request body must be a JSON object.");
            return false;
        }

        if (!StrictJson.TryCheck(bytes, out error))
        {
            return false;
        }

        try
        {
            value = JsonNode.Parse(bytes) as JsonObject;
        }
        catch (JsonException)
        {
            value = null;
        }

        error = value is null ? RequestErrors.NotJson("The request body must be a JSON object.") : null;
        return value is not null;
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> of the body, whatever its type; 413 beyond, 400 when the framing is broken.</summary>
    internal static async Task<(byte[] Bytes, IResult? Error)> ReadRawAsync(HttpContext context, int maxBytes)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            return ([], RequestErrors.TooLarge(maxBytes));
        }

        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return ([], null);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                {
                    return ([], RequestErrors.TooLarge(maxBytes));
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ([], RequestErrors.TooLarge(maxBytes));
        }
        catch (BadHttpRequestException)
        {
            return ([], RequestErrors.NotJson("The request body could not be read (broken framing)."));
        }

        return (buffer.ToArray(), null);
    }
}

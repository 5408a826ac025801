using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>Reads a small JSON request body: bounded size, JSON content type, MoneyKit-shaped errors for anything else.</summary>
public static class RequestBody
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>The parsed body (null when the body is empty), or an error result.</summary>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        var (bytes, error) = await ReadBytesAsync(context);
        if (error is not null || bytes.Length == 0)
        {
            return (null, error);
        }

        try
        {
            return (JsonSerializer.Deserialize(bytes, type), null);
        }
        catch (JsonException)
        {
            return (null, ApiErrorResults.Create(StatusCodes.Status400BadRequest, ApiErrorCodes.BadRequest, "The request body is not valid JSON of the expected shape."));
        }
    }

    public static async Task<(byte[] Bytes, IResult? Error)> ReadBytesAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (request.ContentLength > MaxBytes)
        {
            return ([], ApiErrorResults.Create(StatusCodes.Status413PayloadTooLarge, ApiErrorCodes.PayloadTooLarge, $"The request body must be at most {MaxBytes} bytes."));
        }

        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return ([], null);
        }

        if (request.ContentType is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return ([], ApiErrorResults.Create(StatusCodes.Status415UnsupportedMediaType, ApiErrorCodes.UnsupportedMediaType, "The request body must be application/json."));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxBytes)
                {
                    return ([], ApiErrorResults.Create(StatusCodes.Status413PayloadTooLarge, ApiErrorCodes.PayloadTooLarge, $"The request body must be at most {MaxBytes} bytes."));
                }
            }
        }
        catch (BadHttpRequestException)
        {
            return ([], ApiErrorResults.Create(StatusCodes.Status413PayloadTooLarge, ApiErrorCodes.PayloadTooLarge, $"The request body must be at most {MaxBytes} bytes."));
        }

        return (buffer.ToArray(), null);
    }
}

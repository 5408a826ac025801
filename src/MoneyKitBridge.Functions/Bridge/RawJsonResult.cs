using System.Text.Json;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>
/// Writes a response with <see cref="Utf8JsonWriter"/> straight to the body. Stored MoneyKit JSON (links, accounts,
/// transactions) is copied as raw values, never deserialized and re-serialized per request.
/// </summary>
public sealed class RawJsonResult(int statusCode, Action<Utf8JsonWriter> write) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, new JsonWriterOptions { SkipValidation = true }))
        {
            write(writer);
            await writer.FlushAsync(httpContext.RequestAborted);
        }
    }

    /// <summary>Renders a JSON document to bytes (for responses that are cached and served again).</summary>
    public static byte[] Render(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(32 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteRawArray(Utf8JsonWriter writer, string name, IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartArray(name);
        foreach (var item in items)
        {
            writer.WriteRawValue(item, skipInputValidation: true);
        }

        writer.WriteEndArray();
    }
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MoneyKit.Sandbox.Api;

/// <summary>Reads a JSON request body with the source-generated contract, turning bad input into a 422.</summary>
internal static class JsonBody
{
    private const long MaxBodyBytes = 1024 * 1024;

    /// <summary>Reads the body; an empty body yields <paramref name="whenEmpty"/>.</summary>
    public static async Task<(T? Value, ErrorResult? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, T? whenEmpty, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength is > MaxBodyBytes)
        {
            return (null, ErrorResult.Validation("body", "Request body is too large."));
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > MaxBodyBytes)
        {
            return (null, ErrorResult.Validation("body", "Request body is too large."));
        }

        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t'))
        {
            return whenEmpty is null ? (null, ErrorResult.Validation("body", "A JSON body is required.")) : (whenEmpty, null);
        }

        try
        {
            var value = JsonSerializer.Deserialize(buffer.ToArray(), typeInfo);
            return value is null ? (null, ErrorResult.Validation("body", "A JSON object is required.")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, ErrorResult.Validation(ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body", "The body is not valid JSON for this endpoint."));
        }
    }
}

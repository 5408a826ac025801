using System.Text;
using System.Text.Json;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>One request as a hostile or careless client would send it (headers and body byte for byte).</summary>
public sealed record HostileRequest(string Method, string Path, IReadOnlyList<(string Name, string Value)> Headers, byte[]? Body, string? ContentType)
{
    /// <summary>The marker every canary starts with: a credential the client sent that must never reach a log.</summary>
    public const string CanaryPrefix = "CnRy";

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(Path, UriKind.Relative));
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            message.Content.Headers.Remove("Content-Type");
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        foreach (var (name, value) in Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    public override string ToString() =>
        $"{Method} {Path} [{string.Join(", ", Headers.Select(h => h.Name))}] {ContentType} {(Body is null ? "" : Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 120))))}";

    /// <summary>Why an app answer is not what any input may produce (null when it is fine): a 5xx, or a 4xx without MoneyKit's body.</summary>
    public static async Task<string?> CheckAnswerAsync(HttpResponseMessage response, string method)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return $"{status}: {await response.Content.ReadAsStringAsync()}";
        }

        if (status < 400)
        {
            return null;
        }

        if (!response.Headers.TryGetValues("X-Request-Id", out var ids) || !ids.Any(id => id.Length > 0))
        {
            return $"{status} without X-Request-Id";
        }

        if (method == "HEAD")
        {
            return null; // no body by definition
        }

        var text = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return $"{status} with content type {response.Content.Headers.ContentType}: {text}";
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            var body = doc.RootElement;
            var shaped = body.ValueKind == JsonValueKind.Object
                && body.TryGetProperty("error_code", out var code) && code.ValueKind == JsonValueKind.String && code.GetString()!.Length > 0
                && body.TryGetProperty("error_message", out var message) && message.ValueKind == JsonValueKind.String && message.GetString()!.Length > 0
                && body.TryGetProperty("documentation_url", out _)
                && !text.Contains("   at ", StringComparison.Ordinal);
            return shaped ? null : $"{status} not MoneyKit-shaped: {text}";
        }
        catch (JsonException)
        {
            return $"{status} not JSON: {text}";
        }
    }
}

using System.Net;
using System.Text.Json;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>Checks an app error answer: status, MoneyKit's error body shape and an <c>X-Request-Id</c>.</summary>
public static class MoneyKitErrors
{
    private static readonly HashSet<string> AllowedFields = new(StringComparer.Ordinal)
    {
        "error_code", "error_message", "documentation_url", "link_error_code", "validation_errors",
    };

    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string errorCode)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.TryGetValues("X-Request-Id", out var ids) && ids.Any(id => id.Length > 0), "X-Request-Id is missing");
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        Assert.Equal(errorCode, body.GetProperty("error_code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error_message").GetString()));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("documentation_url").ValueKind);
        Assert.All(body.EnumerateObject(), p => Assert.Contains(p.Name, AllowedFields));
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack trace
        return body;
    }

    /// <summary>The <c>loc</c> paths of a validation error, e.g. <c>query.page</c>.</summary>
    public static IReadOnlyList<string> Locations(JsonElement body) =>
        [.. body.GetProperty("validation_errors").EnumerateArray().Select(e => string.Join('.', e.GetProperty("loc").EnumerateArray().Select(l => l.GetString())))];
}

using System.Net;
using System.Text.Json;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>Reads a MoneyKit-shaped error answer and checks its status and shape.</summary>
public static class ErrorBody
{
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string errorCode)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        Assert.Equal(errorCode, body.GetProperty("error_code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error_message").GetString()));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("documentation_url").ValueKind);
        Assert.Equal(3, body.EnumerateObject().Count());
        return body;
    }
}

using System.Net;
using System.Text;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Tests.Hosting;

public sealed class ErrorHandlingTests : IDisposable
{
    private readonly BridgeAppFactory factory = new();
    private readonly HttpClient client;

    public ErrorHandlingTests() => client = factory.CreateClient();

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    [Fact]
    public async Task Unhandled_exception_is_a_500_without_any_detail()
    {
        using var response = await client.GetAsync(new Uri("/api/test/throw", UriKind.Relative));

        var body = await ErrorBody.AssertAsync(response, HttpStatusCode.InternalServerError, ApiErrorCodes.InternalServerError);
        var text = body.GetRawText();
        Assert.DoesNotContain("boom", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/nothing-here")]
    [InlineData("/api/auth/token")]
    public async Task Unknown_routes_and_methods_get_moneykit_bodies(string path)
    {
        using var response = await client.DeleteAsync(new Uri(path, UriKind.Relative));

        var knownRoute = path == "/api/auth/token";
        await ErrorBody.AssertAsync(
            response,
            knownRoute ? HttpStatusCode.MethodNotAllowed : HttpStatusCode.NotFound,
            knownRoute ? ApiErrorCodes.MethodNotAllowed : ApiErrorCodes.NotFound);
    }

    [Theory]
    [InlineData("/api/test/paged?page=abc")]
    [InlineData("/api/test/paged")]
    [InlineData("/api/test/paged?page=99999999999999999999")]
    public async Task Query_binding_failures_are_400_not_500(string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        await ErrorBody.AssertAsync(response, HttpStatusCode.BadRequest, ApiErrorCodes.BadRequest);
    }

    [Theory]
    [InlineData("{\"value\":")]
    [InlineData("[1,2,3]")]
    [InlineData("")]
    public async Task Body_binding_failures_are_400_not_500(string json)
    {
        using var response = await client.PostAsync(
            new Uri("/api/test/body", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        await ErrorBody.AssertAsync(response, HttpStatusCode.BadRequest, ApiErrorCodes.BadRequest);
    }

    [Fact]
    public async Task Wrong_content_type_for_a_json_body_is_415()
    {
        using var response = await client.PostAsync(
            new Uri("/api/test/body", UriKind.Relative), new StringContent("value=x", Encoding.UTF8, "text/plain"));

        await ErrorBody.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, ApiErrorCodes.UnsupportedMediaType);
    }
}

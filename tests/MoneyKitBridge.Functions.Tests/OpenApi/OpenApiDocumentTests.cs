using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.OpenApi;
using MoneyKitBridge.Functions.Tests.Hosting;

namespace MoneyKitBridge.Functions.Tests.OpenApi;

/// <summary>
/// One OpenAPI document for both modes: written from <see cref="BridgeRoutes"/>, served standalone (the real app on a
/// test server) and by the worker's <c>[Function]</c> (invoked directly) as the same bytes.
/// </summary>
public sealed class OpenApiDocumentTests : IDisposable
{
    private const string DocumentPath = "/api/openapi/v1.json";

    private readonly BridgeAppFactory factory = new();
    private readonly HttpClient client;

    public OpenApiDocumentTests() => client = factory.CreateClient();

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    [Fact]
    public async Task The_document_has_every_route_and_method_of_the_table_and_nothing_else()
    {
        using var json = JsonDocument.Parse(await client.GetByteArrayAsync(new Uri(DocumentPath, UriKind.Relative)));

        var operations = json.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => (
                Path: path.Name,
                Method: operation.Name,
                Id: operation.Value.GetProperty("operationId").GetString(),
                Scope: operation.Value.TryGetProperty("security", out var security)
                    ? security.EnumerateArray().Single().GetProperty("Bearer").EnumerateArray().Single().GetString()
                    : null)))
            .ToList();
        Assert.Equal(
            BridgeRoutes.All.Select(r => (Path: r.Path, Method: r.Method, Id: (string?)r.Name, Scope: r.Scope)).Order(),
            operations.Order());
        Assert.Equal(["openapi", "info", "paths", "components"], json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task The_timer_is_not_in_the_document()
    {
        var text = await client.GetStringAsync(new Uri(DocumentPath, UriKind.Relative));

        Assert.DoesNotContain(BridgeRoutes.RefreshStaleLinks, text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Every_path_parameter_of_a_route_is_declared()
    {
        using var json = JsonDocument.Parse(await client.GetByteArrayAsync(new Uri(DocumentPath, UriKind.Relative)));

        var getLink = json.RootElement.GetProperty("paths").GetProperty("/api/links/{link_id}").GetProperty("get");
        var parameter = Assert.Single(getLink.GetProperty("parameters").EnumerateArray());
        Assert.Equal("link_id", parameter.GetProperty("name").GetString());
        Assert.Equal("path", parameter.GetProperty("in").GetString());
        Assert.True(parameter.GetProperty("required").GetBoolean());
        Assert.False(json.RootElement.GetProperty("paths").GetProperty("/api/auth/token").GetProperty("post").TryGetProperty("parameters", out _));
    }

    [Fact]
    public async Task Standalone_and_worker_serve_byte_identical_documents()
    {
        using var standalone = await client.GetAsync(new Uri(DocumentPath, UriKind.Relative));
        var standaloneBytes = await standalone.Content.ReadAsByteArrayAsync();

        var (workerStatus, workerContentType, workerBytes) = await InvokeWorkerFunctionAsync("v1");

        Assert.Equal(HttpStatusCode.OK, standalone.StatusCode);
        Assert.Equal(200, workerStatus);
        Assert.Equal(OpenApiDocument.ContentType, standalone.Content.Headers.ContentType?.ToString());
        Assert.Equal(OpenApiDocument.ContentType, workerContentType);
        Assert.Equal(standaloneBytes, workerBytes);
        Assert.Equal(OpenApiDocument.Write(BridgeRoutes.All), workerBytes);
    }

    [Fact]
    public async Task Another_document_name_is_a_MoneyKit_404_in_both_modes()
    {
        using var standalone = await client.GetAsync(new Uri("/api/openapi/v2.json", UriKind.Relative));
        var standaloneBody = await ErrorBody.AssertAsync(standalone, HttpStatusCode.NotFound, ApiErrorCodes.NotFound);

        var (workerStatus, _, workerBytes) = await InvokeWorkerFunctionAsync("v2");

        Assert.Equal(404, workerStatus);
        Assert.Equal(standaloneBody.GetProperty("error_code").GetString(), JsonDocument.Parse(workerBytes).RootElement.GetProperty("error_code").GetString());
    }

    private async Task<(int Status, string? ContentType, byte[] Body)> InvokeWorkerFunctionAsync(string documentName)
    {
        var http = new DefaultHttpContext { RequestServices = factory.Services };
        http.Request.Method = "GET";
        http.Request.Path = $"/api/openapi/{documentName}.json";
        using var body = new MemoryStream();
        http.Response.Body = body;

        await OpenApiFunctions.GetOpenApiDocument(http.Request, documentName).ExecuteAsync(http);
        await http.Response.BodyWriter.FlushAsync();

        return (http.Response.StatusCode, http.Response.ContentType, body.ToArray());
    }
}

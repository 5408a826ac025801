using System.Text.Json;
using Microsoft.Azure.Functions.Worker;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// Worker mode: <c>GET /api/openapi/v1.json</c>. Endpoint metadata does not exist in the worker, so the document is
/// written from <see cref="BridgeRoutes"/> (paths, methods, operation ids, bearer scopes).
/// </summary>
public static class OpenApiFunctions
{
    /// <summary>The one document name served.</summary>
    public const string DocumentName = "v1";

    [Function(BridgeRoutes.GetOpenApiDocument)]
    public static IResult GetOpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetOpenApiDocumentRoute)] HttpRequest request,
        string documentName)
    {
        ArgumentNullException.ThrowIfNull(request);
        return documentName == DocumentName
            ? Results.Text(Write(), "application/json; charset=utf-8")
            : Errors.ApiErrorResults.Create(StatusCodes.Status404NotFound, Errors.ApiErrorCodes.NotFound, "No such OpenAPI document.");
    }

    /// <summary>The OpenAPI 3.1 document of <see cref="BridgeRoutes.All"/>.</summary>
    public static string Write()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("openapi", "3.1.1");
            json.WriteStartObject("info");
            json.WriteString("title", "MoneyKitBridge.Functions | v1");
            json.WriteString("version", "1.0.0");
            json.WriteEndObject();
            json.WriteStartObject("paths");
            foreach (var path in BridgeRoutes.All.Where(r => r.Name != BridgeRoutes.GetOpenApiDocument).GroupBy(r => r.Path))
            {
                json.WriteStartObject(path.Key);
                foreach (var route in path)
                {
                    json.WriteStartObject(route.Method);
                    json.WriteString("operationId", route.Name);
                    if (route.Scope is not null)
                    {
                        json.WriteStartArray("security");
                        json.WriteStartObject();
                        json.WriteStartArray("Bearer");
                        json.WriteStringValue(route.Scope);
                        json.WriteEndArray();
                        json.WriteEndObject();
                        json.WriteEndArray();
                    }

                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

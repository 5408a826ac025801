using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.OpenApi;

/// <summary><c>GET /api/openapi/{documentName}.json</c>: the route-table document (<see cref="OpenApiDocument"/>).</summary>
public static class OpenApiEndpoints
{
    /// <summary>Standalone mode: maps function <c>GetOpenApiDocument</c>.</summary>
    public static RouteHandlerBuilder MapOpenApiEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapBridgeRoute(BridgeRoutes.GetOpenApiDocument, GetDocument);
    }

    /// <summary>The handler of both modes: the document, or a MoneyKit-shaped 404 for another document name.</summary>
    internal static IResult GetDocument(string documentName) =>
        documentName == OpenApiDocument.Name
            ? TypedResults.Bytes(OpenApiDocument.Utf8.ToArray(), OpenApiDocument.ContentType)
            : ApiErrorResults.Create(StatusCodes.Status404NotFound, ApiErrorCodes.NotFound, "No such OpenAPI document.");
}

using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.OpenApi;

/// <summary>Worker mode: the OpenAPI function. It calls the handler that standalone mode maps on the same route.</summary>
public static class OpenApiFunctions
{
    [Function(BridgeRoutes.GetOpenApiDocument)]
    public static IResult GetOpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetOpenApiDocumentRoute)] HttpRequest request,
        string documentName)
    {
        ArgumentNullException.ThrowIfNull(request);
        return OpenApiEndpoints.GetDocument(documentName);
    }
}

using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Core.Institutions;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Institutions;

/// <summary>Worker mode: the institution reads, calling the handlers standalone mode maps.</summary>
public sealed class InstitutionFunctions(InstitutionCatalog catalog)
{
    [Function(BridgeRoutes.GetInstitutions)]
    public Task<IResult> GetInstitutionsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetInstitutionsRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InstitutionEndpoints.GetInstitutionsAsync(request.HttpContext, catalog);
    }

    [Function(BridgeRoutes.GetInstitution)]
    public Task<IResult> GetInstitutionAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetInstitutionRoute)] HttpRequest request,
        string institution_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InstitutionEndpoints.GetInstitutionAsync(institution_id, request.HttpContext, catalog);
    }
}

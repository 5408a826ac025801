using MoneyKitBridge.Core.Institutions;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Functions.Institutions;

/// <summary><c>GET /api/institutions</c> and <c>GET /api/institutions/{institution_id}</c>, served from the shared copy of MoneyKit's list.</summary>
public static class InstitutionEndpoints
{
    public static IEndpointRouteBuilder MapInstitutionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapBridgeRoute(BridgeRoutes.GetInstitutions, GetInstitutionsAsync);
        endpoints.MapBridgeRoute(BridgeRoutes.GetInstitution, GetInstitutionAsync);
        return endpoints;
    }

    /// <summary>MoneyKit's <c>GetInstitutionsResponse</c>: <c>institutions</c> and <c>cursors.next</c>.</summary>
    internal static async Task<IResult> GetInstitutionsAsync(HttpContext context, InstitutionCatalog catalog)
    {
        if (!InstitutionQuery.TryParse(context.Request.Query, out var query, out var error))
        {
            return error;
        }

        if (await TryGetListAsync(catalog, context) is not { } list)
        {
            return MoneyKitOutageFilter.Unavailable(context, new MoneyKitException("No copy of MoneyKit's institution list yet."));
        }

        var (page, next) = query.Apply(list);
        return new RawJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            RawJsonResult.WriteRawArray(writer, "institutions", page.Select(i => i.Json));
            writer.WriteStartObject("cursors");
            writer.WriteString("next", next);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    /// <summary>MoneyKit's <c>Institution</c>, or its 404 <c>institution_error.not_found</c>.</summary>
    internal static async Task<IResult> GetInstitutionAsync(string institution_id, HttpContext context, InstitutionCatalog catalog)
    {
        if (string.IsNullOrEmpty(institution_id) || institution_id.Length > 256)
        {
            return NotFound();
        }

        if (await TryGetListAsync(catalog, context) is not { } list)
        {
            return MoneyKitOutageFilter.Unavailable(context, new MoneyKitException("No copy of MoneyKit's institution list yet."));
        }

        return list.Find(institution_id) is { } institution
            ? new RawJsonResult(StatusCodes.Status200OK, writer => writer.WriteRawValue(institution.Json, skipInputValidation: true))
            : NotFound();
    }

    /// <summary>
    /// The shared copy, or null when there is none yet and MoneyKit refused or failed to give one (whatever its answer,
    /// the app gets a MoneyKit-shaped 503 with <c>Retry-After</c>, never a bare error).
    /// </summary>
    private static async Task<InstitutionList?> TryGetListAsync(InstitutionCatalog catalog, HttpContext context)
    {
        try
        {
            return await catalog.GetAsync(context.RequestAborted);
        }
        catch (MoneyKitException) when (!context.RequestAborted.IsCancellationRequested)
        {
            return null;
        }
    }

    private static IResult NotFound() =>
        ApiErrorResults.Create(StatusCodes.Status404NotFound, "institution_error.not_found", "Institution not found.");
}

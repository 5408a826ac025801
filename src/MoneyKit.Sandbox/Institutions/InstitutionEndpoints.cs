using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Data;

namespace MoneyKit.Sandbox.Institutions;

/// <summary><c>GET /institutions</c> and <c>GET /institutions/{id}</c>: the three sandbox banks.</summary>
internal static class InstitutionEndpoints
{
    public static void MapInstitutionEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/institutions", () =>
            TypedResults.Json(new InstitutionsResponse([.. SandboxInstitution.All.Select(ToWire)], new PageCursorWire(null)), SandboxJsonContext.Default.InstitutionsResponse));
        api.MapGet("/institutions/{id}", (string id) =>
            SandboxInstitution.Find(id) is { } institution
                ? TypedResults.Json(ToWire(institution), SandboxJsonContext.Default.InstitutionWire)
                : (IResult)ErrorResult.NotFound("institution_error.not_found", "Institution not found."));
    }

    private static InstitutionWire ToWire(SandboxInstitution institution) => new(
        institution.Id,
        [],
        institution.Name,
        "US",
        institution.Domain,
        institution.Color,
        institution.Color,
        false,
        institution.Avatar,
        true,
        institution.Login.ToString().ToLowerInvariant(),
        SandboxProducts.Available);
}

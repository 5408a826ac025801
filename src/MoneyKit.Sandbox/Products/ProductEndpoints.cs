using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Control;
using MoneyKit.Sandbox.Links;

namespace MoneyKit.Sandbox.Products;

/// <summary><c>POST /links/{id}/products</c>: asynchronous refresh, 202 when accepted.</summary>
internal static class ProductEndpoints
{
    public static void MapProductEndpoints(this IEndpointRouteBuilder api) =>
        api.MapPost("/links/{id}/products", RefreshProductsAsync);

    private static async Task<IResult> RefreshProductsAsync(string id, HttpContext context, LinkRegistry links, ProductRefresher refresher, CancellationToken cancellationToken)
    {
        var (link, error) = LinkAccess.Find(links, context, id);
        if (error is not null)
        {
            return error;
        }

        var (body, bodyError) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.RefreshProductsRequest, null, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        RequestLogNote.Set(context, new RequestLogNote(Products: body!.Products));
        lock (link!.Gate)
        {
            return (IResult?)refresher.Start(link, body!.Products ?? []) ?? TypedResults.Accepted((string?)null);
        }
    }
}

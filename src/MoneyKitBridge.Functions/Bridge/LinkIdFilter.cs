namespace MoneyKitBridge.Functions.Bridge;

/// <summary>
/// Answers 404 <c>link_error.not_found</c> for a <c>{link_id}</c> that cannot be a link (see
/// <see cref="LinkErrors.CouldBeLinkId"/>) before the handler looks it up in Table Storage, which would fail with a 500.
/// </summary>
public sealed class LinkIdFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return context.HttpContext.Request.RouteValues.TryGetValue("link_id", out var value) && Check(value) is { } notFound
            ? ValueTask.FromResult<object?>(notFound)
            : next(context);
    }

    /// <summary>404 <c>link_error.not_found</c> when <paramref name="linkId"/> cannot be a link, else <see langword="null"/>.</summary>
    public static IResult? Check(object? linkId) => LinkErrors.CouldBeLinkId(linkId as string) ? null : LinkErrors.NotFound();
}

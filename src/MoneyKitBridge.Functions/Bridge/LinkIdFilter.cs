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
        return context.HttpContext.Request.RouteValues.TryGetValue("link_id", out var value) && !LinkErrors.CouldBeLinkId(value as string)
            ? ValueTask.FromResult<object?>(LinkErrors.NotFound())
            : next(context);
    }
}

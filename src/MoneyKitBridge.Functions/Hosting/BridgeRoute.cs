using MoneyKitBridge.Functions.Auth;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>One HTTP function of <see cref="BridgeRoutes"/>.</summary>
/// <param name="Name">Function name (<c>[Function]</c>) and standalone endpoint name.</param>
/// <param name="Method">HTTP method, lower case as in <c>functions.metadata</c>.</param>
/// <param name="Route">Route template below <see cref="BridgeRoutes.Prefix"/>.</param>
/// <param name="Scope">The bearer scope the route requires, or <see langword="null"/> when it is anonymous.</param>
/// <param name="Tag">The OpenAPI tag the route is listed under.</param>
/// <param name="Summary">The OpenAPI summary of the route.</param>
/// <param name="ChecksLinkId">A <c>{link_id}</c> that cannot be a link answers 404 before the handler runs.</param>
/// <param name="CallsMoneyKit">A MoneyKit outage answers a MoneyKit-shaped 503 instead of a 500.</param>
public sealed record BridgeRoute(
    string Name, string Method, string Route, string? Scope, string Tag, string Summary, bool ChecksLinkId = false, bool CallsMoneyKit = false)
{
    /// <summary>The path standalone mode maps, e.g. <c>/api/links/{link_id}</c>.</summary>
    public string Path => "/" + BridgeRoutes.Prefix + "/" + Route;

    /// <summary>The HTTP method in upper case, as ASP.NET Core reports it.</summary>
    public string HttpMethod => Method.ToUpperInvariant();

    /// <summary>The endpoint metadata the shared middleware reads (scope requirement).</summary>
    public IReadOnlyList<object> Metadata => Scope is null ? [] : [new BridgeScopeRequirement(Scope)];
}

using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Bridge;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>Standalone mode: maps a handler on its <see cref="BridgeRoutes"/> entry (path, method, name, scope, checks).</summary>
public static class BridgeRouteMapping
{
    /// <summary>Maps <paramref name="handler"/> as function <paramref name="name"/> of <see cref="BridgeRoutes"/>.</summary>
    public static RouteHandlerBuilder MapBridgeRoute(this IEndpointRouteBuilder endpoints, string name, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var route = BridgeRoutes.Named(name);
        var builder = endpoints.MapMethods(route.Path, [route.HttpMethod], handler).WithName(route.Name);
        if (route.Scope is not null)
        {
            builder.RequireBridgeScope(route.Scope);
        }

        if (route.ChecksLinkId)
        {
            builder.AddEndpointFilter<RouteHandlerBuilder, LinkIdFilter>();
        }

        if (route.CallsMoneyKit)
        {
            builder.WithMoneyKitOutageHandling();
        }

        return builder;
    }
}

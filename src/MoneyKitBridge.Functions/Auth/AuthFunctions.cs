using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>Worker mode: the token function, calling the handler standalone mode maps.</summary>
public sealed class AuthFunctions(BridgeClientStore clients, BridgeAccessTokens tokens, ClientRateLimiter limiter)
{
    [Function(BridgeRoutes.AuthToken)]
    public Task<IResult> AuthTokenAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Post, Route = BridgeRoutes.AuthTokenRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return AuthEndpoints.IssueTokenAsync(request.HttpContext, clients, tokens, limiter);
    }
}

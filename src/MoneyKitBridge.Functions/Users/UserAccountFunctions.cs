using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Users;

/// <summary>Worker mode: the customer user's accounts, calling the handler standalone mode maps.</summary>
public sealed class UserAccountFunctions(LinkLifecycle lifecycle, LinkSnapshotReader reader)
{
    [Function(BridgeRoutes.GetUserAccounts)]
    public Task<IResult> GetUserAccountsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetUserAccountsRoute)] HttpRequest request,
        string user_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return UserAccountEndpoints.GetUserAccountsAsync(user_id, request.HttpContext, lifecycle, reader);
    }
}

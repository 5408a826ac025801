using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Transactions;

/// <summary>Worker mode: the transaction reads, calling the handlers standalone mode maps.</summary>
public sealed class TransactionFunctions(LinkSnapshotReader reader, LinkLifecycle lifecycle, TransactionPageCache pages, TimeProvider time)
{
    [Function(BridgeRoutes.GetLinkTransactions)]
    public Task<IResult> GetLinkTransactionsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetLinkTransactionsRoute)] HttpRequest request,
        string link_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TransactionEndpoints.GetLinkTransactionsAsync(link_id, request.HttpContext, reader, pages, time);
    }

    [Function(BridgeRoutes.GetUserTransactions)]
    public Task<IResult> GetUserTransactionsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.GetUserTransactionsRoute)] HttpRequest request,
        string user_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TransactionEndpoints.GetUserTransactionsAsync(user_id, request.HttpContext, reader, lifecycle, time);
    }
}

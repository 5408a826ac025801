using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Transactions;

/// <summary>Worker mode: the change feed, calling the handler standalone mode maps.</summary>
public sealed class TransactionSyncFunctions(LinkSnapshotReader reader, LinkChangeFeed feed)
{
    [Function(BridgeRoutes.SyncLinkTransactions)]
    public Task<IResult> SyncLinkTransactionsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, BridgeRoutes.Get, Route = BridgeRoutes.SyncLinkTransactionsRoute)] HttpRequest request,
        string link_id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TransactionSyncEndpoints.SyncLinkTransactionsAsync(link_id, request.HttpContext, reader, feed);
    }
}

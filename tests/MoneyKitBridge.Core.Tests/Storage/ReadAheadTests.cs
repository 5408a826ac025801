using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Storage;

public sealed class ReadAheadTests(AzuriteTable fixture) : IClassFixture<AzuriteTable>
{
    [Fact]
    public async Task PagesWithReadAhead_NextPageIsRequestedBeforeAPageReachesTheConsumer_AndEveryRowComesOnce()
    {
        var pk = AzuriteTable.NewPartition();
        await fixture.Table.SubmitCheckedAsync(Enumerable.Range(0, 10).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, "r" + i) { ["N"] = i })));
        var counter = new RequestCounter();
        var options = BridgeTables.CreateOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var table = new TableServiceClient(TestStorage.ConnectionString, options).GetTableClient(fixture.Table.Name);

        var seenWithPage = new List<int>();
        var rows = new List<int>();
        await foreach (var page in table.QueryAsync<TableEntity>(TableKeys.PartitionFilter(pk), maxPerPage: 3).PagesWithReadAheadAsync())
        {
            await Task.Delay(50); // let a request started for the next page reach the transport
            seenWithPage.Add(counter.Requests);
            rows.AddRange(page.Values.Select(e => e.GetInt32("N")!.Value));
        }

        Assert.Equal(Enumerable.Range(0, 10).Order(), rows.Order());
        Assert.Equal([2, 3, 4, 4], seenWithPage); // 4 pages; while page n is consumed, page n+1 is already requested
    }

    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int requests;

        public int Requests => Volatile.Read(ref requests);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref requests);
    }
}

using System.Net;
using System.Text;
using Azure;
using Azure.Core.Pipeline;
using MoneyKitBridge.TableStorage;

namespace MoneyKitBridge.TableStorage.Tests;

/// <summary>
/// Read-ahead: the next page is requested before the current one reaches the consumer, a consumer that stops early
/// cancels the page in flight, and a failing page surfaces where it is consumed. Faked at the HTTP transport so the
/// order of requests is observable.
/// </summary>
public sealed class QueryReadAheadTests
{
    private const string Connection = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:9/devstoreaccount1";

    /// <summary>Serves <c>pages</c> pages of two entities; page <c>holdPage</c> (1-based) waits until its request is cancelled.</summary>
    private sealed class PagedHandler(int pages, int? holdPage = null, int? failPage = null) : HttpMessageHandler
    {
        private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<Uri> Requests { get; } = [];

        public bool HeldRequestCancelled { get; private set; }

        public Task Held => held.Task;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int page;
            lock (Requests)
            {
                Requests.Add(request.RequestUri!);
                page = Requests.Count;
            }

            if (page == holdPage)
            {
                held.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    HeldRequestCancelled = true;
                    throw;
                }
            }

            if (page == failPage)
            {
                return new HttpResponseMessage(HttpStatusCode.BadRequest)
                {
                    Content = new StringContent("{\"odata.error\":{\"code\":\"InvalidInput\",\"message\":{\"lang\":\"en-US\",\"value\":\"bad\"}}}", Encoding.UTF8, "application/json"),
                };
            }

            var body = "{\"value\":[" + string.Join(',', Enumerable.Range(0, 2).Select(i => $"{{\"PartitionKey\":\"p\",\"RowKey\":\"{page}-{i}\",\"N\":{page * 10 + i}}}")) + "]}";
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (page < pages)
            {
                response.Headers.Add("x-ms-continuation-NextPartitionKey", "p");
                response.Headers.Add("x-ms-continuation-NextRowKey", $"{page + 1}-0");
            }

            return response;
        }
    }

    private static TableClient Client(HttpMessageHandler handler)
    {
        var options = new TableClientOptions { Transport = new HttpClientTransport(new HttpClient(handler)) };
        options.Retry.MaxRetries = 0;
        return new TableServiceClient(Connection, options).GetTableClient("things");
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 1)]
    public async Task With_read_ahead_the_next_page_is_requested_before_a_page_reaches_the_consumer(bool readAhead, int requestsSeenWithFirstPage)
    {
        var handler = new PagedHandler(pages: 3);
        var seen = new List<int>();
        var requestsWhenFirstPageArrived = -1;

        await foreach (var page in Client(handler).QueryPagesAsync("PartitionKey eq 'p'", readAhead: readAhead))
        {
            if (requestsWhenFirstPageArrived < 0)
            {
                requestsWhenFirstPageArrived = handler.Requests.Count;
            }

            seen.AddRange(page.Values.Select(e => e.GetInt32("N")!.Value));
        }

        Assert.Equal(requestsSeenWithFirstPage, requestsWhenFirstPageArrived);
        Assert.Equal([10, 11, 20, 21, 30, 31], seen);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Contains("NextRowKey=2-0", handler.Requests[1].Query, StringComparison.Ordinal);
        Assert.Contains("NextRowKey=3-0", handler.Requests[2].Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consumer_that_stops_early_cancels_the_page_in_flight()
    {
        var handler = new PagedHandler(pages: 5, holdPage: 2);

        await foreach (var entity in Client(handler).QueryAsync("PartitionKey eq 'p'", readAhead: true))
        {
            Assert.Equal(10, entity.GetInt32("N"));
            await handler.Held.WaitAsync(TimeSpan.FromSeconds(30)); // without read-ahead nothing would be in flight
            break;
        }

        Assert.True(handler.HeldRequestCancelled);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_failing_next_page_surfaces_after_the_pages_before_it()
    {
        var handler = new PagedHandler(pages: 3, failPage: 2);
        var seen = new List<int>();

        var error = await Assert.ThrowsAsync<RequestFailedException>(async () =>
        {
            await foreach (var entity in Client(handler).QueryAsync("PartitionKey eq 'p'", readAhead: true))
            {
                seen.Add(entity.GetInt32("N")!.Value);
            }
        });

        Assert.Equal([10, 11], seen);
        Assert.Equal((400, "InvalidInput"), (error.Status, error.ErrorCode));
        Assert.Equal(2, handler.Requests.Count);
    }
}

using System.Net;
using System.Text;
using Azure;
using Azure.Core.Pipeline;
using MoneyKitBridge.TableStorage;

namespace MoneyKitBridge.TableStorage.Tests;

/// <summary>Throttling answers are retried with backoff; other errors are not. Faked at the HTTP transport.</summary>
public sealed class RetryTests
{
    private const string Connection = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:9/devstoreaccount1";

    private sealed class ScriptedHandler(params (HttpStatusCode Status, string Code)[] answers) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            var (status, code) = answers[Math.Min(Requests.Count - 1, answers.Length - 1)];
            var response = new HttpResponseMessage(status);
            if (code.Length > 0)
            {
                response.Content = new StringContent("{\"odata.error\":{\"code\":\"" + code + "\",\"message\":{\"lang\":\"en-US\",\"value\":\"" + code + " happened\\nRequestId:1\"}}}", Encoding.UTF8, "application/json");
            }
            else
            {
                response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"v2\"", isWeak: true);
            }

            return Task.FromResult(response);
        }
    }

    private static TableClient Client(ScriptedHandler handler)
    {
        var options = new TableClientOptions { Transport = new HttpClientTransport(new HttpClient(handler)) };
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(2);
        return new TableServiceClient(Connection, options).GetTableClient("things");
    }

    [Fact]
    public async Task Server_busy_and_operation_timeout_are_retried_until_success()
    {
        var handler = new ScriptedHandler(
            (HttpStatusCode.ServiceUnavailable, "ServerBusy"),
            (HttpStatusCode.InternalServerError, "OperationTimedOut"),
            (HttpStatusCode.NoContent, ""));

        var etag = await Client(handler).UpsertEntityAsync(new TableEntity("p", "r"));

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(new ETag("W/\"v2\""), etag);
        Assert.All(handler.Requests, r => Assert.StartsWith("SharedKeyLite devstoreaccount1:", r.Headers.Authorization!.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retries_are_bounded_and_end_in_the_services_error()
    {
        var handler = new ScriptedHandler((HttpStatusCode.ServiceUnavailable, "ServerBusy"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => Client(handler).UpsertEntityAsync(new TableEntity("p", "r")));

        Assert.Equal(4, handler.Requests.Count);
        Assert.Equal((503, "ServerBusy"), (error.Status, error.ErrorCode));
    }

    [Fact]
    public async Task Conflicts_are_not_retried()
    {
        var handler = new ScriptedHandler((HttpStatusCode.Conflict, "EntityAlreadyExists"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => Client(handler).AddEntityAsync(new TableEntity("p", "r")));

        Assert.Single(handler.Requests);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
    }
}

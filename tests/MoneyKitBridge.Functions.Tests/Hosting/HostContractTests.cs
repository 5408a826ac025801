using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MoneyKitBridge.Functions.Tests.Auth;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>Drives the built handler exactly as the Functions host would (Core Tools cannot run here).</summary>
public sealed class HostContractTests(HostContractTests.RunningHandler handler) : IClassFixture<HostContractTests.RunningHandler>
{
    [Fact]
    public async Task Listens_on_the_loopback_port_and_ignores_the_inherited_urls()
    {
        // Logged after every address it listens on; the lines may reach us after the readiness probe was answered.
        await handler.Process.WaitForOutputAsync("Application started");
        var listening = handler.Process.StandardOutput.Where(l => l.Contains("Now listening on:", StringComparison.Ordinal)).ToList();

        var line = Assert.Single(listening);
        Assert.EndsWith($"Now listening on: http://127.0.0.1:{handler.Process.Port}", line.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_the_readiness_probe()
    {
        using var response = await handler.Client.GetAsync(handler.Process.BaseAddress);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task Serves_a_forwarded_token_request()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(handler.Process.BaseAddress, "api/auth/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = BridgeAppFactory.ReaderId,
                ["client_secret"] = BridgeAppFactory.ReaderSecret,
            }),
        };
        // Headers the host adds when forwarding.
        request.Headers.TryAddWithoutValidation("X-Azure-Functions-HostVersion", "4.1037.0");
        request.Headers.TryAddWithoutValidation("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.TryAddWithoutValidation("User-Agent", "curl/8.5.0 Azure-Functions-Host/4.1037.0");
        request.Headers.TryAddWithoutValidation("X-Request-Id", "forwarded-1");

        using var response = await handler.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("forwarded-1", Assert.Single(response.Headers.GetValues("X-Request-Id")));
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        Assert.True(Jwt.HasValidSignature(token, BridgeAppFactory.SigningKey));
    }

    [Theory]
    [InlineData("""{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":true}},"Metadata":{"sys":{"MethodName":"RefreshStaleLinks","UtcNow":"2026-01-05T09:15:00.0000001Z","RandGuid":"0f8fad5b-d9cb-469f-a165-70867728950e"}}}""")]
    [InlineData("""{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-01-05T09:00:00.0000000+00:00","Next":"2026-01-05T09:15:00.0000000+00:00","LastUpdated":"2026-01-05T09:00:00.0123456+00:00"},"IsPastDue":true}},"Metadata":{"sys":{"MethodName":"RefreshStaleLinks"}}}""")]
    public async Task Accepts_the_timer_envelope_and_answers_the_invocation_result(string envelope)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(handler.Process.BaseAddress, "RefreshStaleLinks"))
        {
            Content = new ChunkedJsonContent(envelope),
        };
        request.Headers.TryAddWithoutValidation("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());

        using var response = await handler.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["Outputs", "Logs", "ReturnValue"], body.EnumerateObject().Select(p => p.Name));
        Assert.Empty(body.GetProperty("Outputs").EnumerateObject());
        Assert.Contains(body.GetProperty("Logs").EnumerateArray(), l => l.GetString() == "started (past due)");
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
    }

    public sealed class RunningHandler : IAsyncLifetime
    {
        public HandlerProcess Process { get; private set; } = null!;

        public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

        public async Task InitializeAsync()
        {
            Process = HandlerProcess.Start(HandlerProcess.ValidSettings());
            await Process.WaitUntilReadyAsync(Client);
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            await Process.DisposeAsync();
        }
    }

    /// <summary>The host posts the envelope chunked (no Content-Length) as application/json; charset=utf-8.</summary>
    private sealed class ChunkedJsonContent : HttpContent
    {
        private readonly byte[] body;

        public ChunkedJsonContent(string json)
        {
            body = Encoding.UTF8.GetBytes(json);
            Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

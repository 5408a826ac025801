using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Storage;

/// <summary>Both storage configurations: a connection string (Azurite, account key) and an https Table service URI with a token credential (managed identity).</summary>
public sealed class BridgeTablesTests
{
    [Fact]
    public async Task Connect_ConnectionString_CreatesUsesAndDeletesTheTables()
    {
        var tables = BridgeTables.Connect(TestStorage.ConnectionString, TestStorage.UniqueTableName("c"));
        await tables.EnsureCreatedAsync();
        await tables.EnsureCreatedAsync();
        try
        {
            var store = new LinkStateStore(tables, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new LinkStateOptions()));
            Assert.True(await store.TryCreateAsync(new LinkState { LinkId = "mk_link_config", State = "connected" }));
            Assert.Equal("connected", (await store.GetAsync("mk_link_config"))!.State);
        }
        finally
        {
            await tables.DeleteAllAsync();
            await tables.DeleteAllAsync(); // absent tables are fine
        }
    }

    [Fact]
    public async Task Connect_TokenCredential_SendsABearerTokenForStorage_OverHttps()
    {
        var credential = new RecordingCredential();
        var transport = new RecordingTransport();
        var options = BridgeTables.CreateOptions();
        options.Transport = transport;
        options.Retry.MaxRetries = 0;
        var tables = BridgeTables.Connect(new Uri("https://bridgeaccount.table.core.windows.net"), credential, "bridge", options);

        await tables.States.GetEntityIfExistsAsync<TableEntity>("p", "state");

        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes);
        var request = Assert.Single(transport.Requests);
        Assert.Equal("Bearer test-token", request.Authorization);
        Assert.StartsWith("https://bridgeaccount.table.core.windows.net/bridgelinkstates(", request.Uri, StringComparison.Ordinal);
    }

    private sealed class RecordingCredential : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new AccessToken("test-token", new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private sealed class RecordingTransport : HttpPipelineTransport
    {
        public List<(string Uri, string? Authorization)> Requests { get; } = [];

        public override Request CreateRequest() => new HttpClientTransport().CreateRequest();

        public override void Process(HttpMessage message) => throw new NotSupportedException();

        public override ValueTask ProcessAsync(HttpMessage message)
        {
            message.Request.Headers.TryGetValue("Authorization", out var authorization);
            Requests.Add((message.Request.Uri.ToString(), authorization));
            message.Response = new NotFoundResponse();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class NotFoundResponse : Response
    {
        public override int Status => 404;

        public override string ReasonPhrase => "Not Found";

        public override Stream? ContentStream { get; set; } = new MemoryStream("{\"odata.error\":{\"code\":\"ResourceNotFound\",\"message\":{\"value\":\"none\"}}}"u8.ToArray());

        public override string ClientRequestId { get; set; } = string.Empty;

        public override void Dispose()
        {
        }

        protected override bool ContainsHeader(string name) => false;

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

        protected override bool TryGetHeader(string name, out string value)
        {
            value = string.Empty;
            return false;
        }

        protected override bool TryGetHeaderValues(string name, out IEnumerable<string> values)
        {
            values = [];
            return false;
        }
    }
}

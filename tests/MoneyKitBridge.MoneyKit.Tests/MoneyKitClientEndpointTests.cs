using System.Text.Json.Nodes;

namespace MoneyKitBridge.MoneyKit.Tests;

public sealed class MoneyKitClientEndpointTests : IDisposable
{
    private const string LinkJson = """
        {"link_id":"mk_1","institution_id":"chase","institution_name":"Chase","state":"connected","error_code":null,
         "products":{"transactions":{"refreshed_at":"2024-03-01T10:00:00Z"}},"available_products":[]}
        """;

    private readonly MoneyKitBridge.Testing.TestClock clock = new();
    private readonly FakeMoneyKit fake = new();

    public void Dispose() => fake.Dispose();

    private MoneyKitClient Answering(int status, string json, string version = "2023-02-18")
    {
        fake.Api = (_, _) => Task.FromResult(FakeMoneyKit.Json(status, json));
        return fake.CreateClient(clock, new MoneyKitOptions { Version = version });
    }

    private static JsonNode? Body(RecordedRequest request) => JsonNode.Parse(request.Body);

    [Fact]
    public async Task EveryCall_SendsTheConfiguredMoneyKitVersion_IncludingTheTokenRequest()
    {
        var client = Answering(200, LinkJson, version: "2023-12-14");

        await client.GetLinkAsync("mk_1");
        await client.GetJwksJsonAsync();

        Assert.Equal(3, fake.Requests.Count);
        Assert.All(fake.Requests, r => Assert.Equal("2023-12-14", r.Header("MoneyKit-Version")));
    }

    [Fact]
    public async Task SyncTransactions_SendsCursorAndSize_AndReadsThePage()
    {
        var client = Answering(200, """
            {"transactions":{
               "created":[{"transaction_id":"t1","account_id":"a1","amount":384.05,"type":"debit","currency":"USD","date":"2023-02-16T00:00:00","pending":true}],
               "updated":[{"transaction_id":"t2","account_id":"a1","amount":"12.00","type":"credit","currency":"USD","date":"2023-02-15","pending":false}],
               "removed":["t0"]},
             "cursor":{"next":"cur-2"},"has_more":true,"link":
            """ + LinkJson + "}");

        var page = await client.SyncTransactionsAsync("mk_1", "cur/1+x", 100);

        var request = Assert.Single(fake.ApiRequests);
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("/links/mk_1/transactions/sync", request.Path);
        Assert.Equal("?size=100&cursor=cur%2F1%2Bx", request.Query);
        Assert.Equal("Bearer tok-1", request.Header("Authorization"));
        var created = Assert.Single(page.Transactions.Created);
        Assert.Equal(("t1", 384.05m, new DateOnly(2023, 2, 16), true), (created.TransactionId, created.Amount, created.Date, created.Pending));
        Assert.Equal(12.00m, Assert.Single(page.Transactions.Updated).Amount);
        Assert.Equal(["t0"], page.Transactions.Removed);
        Assert.Equal("cur-2", page.Cursor.Next);
        Assert.True(page.HasMore);
        Assert.Null(page.Accounts);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero), page.Link!.Products!.Transactions!.RefreshedAt);
    }

    [Fact]
    public async Task SyncTransactions_WithoutCursor_AsksForTheWholeHistory()
    {
        var client = Answering(200, """{"transactions":{"created":[],"updated":[],"removed":[]},"cursor":{"next":"c1"},"has_more":false}""");

        await client.SyncTransactionsAsync("mk_1", null, 500);

        Assert.Equal("?size=500", Assert.Single(fake.ApiRequests).Query);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public async Task SyncTransactions_RejectsSizesMoneyKitRejects(int size)
    {
        var client = Answering(200, "{}");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.SyncTransactionsAsync("mk_1", null, size));
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task GetLink_EscapesTheLinkId()
    {
        var client = Answering(200, LinkJson);

        await client.GetLinkAsync("mk/../auth");

        Assert.Equal("/links/mk%2F..%2Fauth", Assert.Single(fake.ApiRequests).Path);
    }

    [Fact]
    public async Task GetAccounts_ReadsAccountsAndBalances()
    {
        var client = Answering(200, """
            {"accounts":[{"account_id":"acc_1","account_type":"depository.checking","name":"Premier Checking","account_mask":"3748",
              "balances":{"currency":"USD","available":340.12,"current":445.89,"limit":500,"balance_date":"2021-08-12T15:23:00Z"},"original_id":null,"closed":true}],
             "link":
            """ + LinkJson + "}");

        var response = await client.GetAccountsAsync("mk_1");

        Assert.Equal("/links/mk_1/accounts", Assert.Single(fake.ApiRequests).Path);
        var account = Assert.Single(response.Accounts);
        Assert.Equal(("acc_1", "depository.checking", "Premier Checking", "3748", true), (account.AccountId, account.AccountType, account.Name, account.AccountMask, account.Closed));
        Assert.Equal((340.12m, 445.89m, 500m, "USD"), (account.Balances!.Available, account.Balances.Current, account.Balances.Limit, account.Balances.Currency));
        Assert.Equal("mk_1", response.Link!.LinkId);
    }

    [Fact]
    public async Task RefreshProducts_PostsTheProductList_AndAcceptsAnEmpty202()
    {
        var client = Answering(202, "");

        await client.RefreshProductsAsync("mk_1", ["transactions", "accounts"]);

        var request = Assert.Single(fake.ApiRequests);
        Assert.Equal((HttpMethod.Post, "/links/mk_1/products"), (request.Method, request.Path));
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"products":["transactions","accounts"]}"""), Body(request)));
    }

    [Fact]
    public async Task DeleteLink_SendsDelete()
    {
        var client = Answering(200, "");

        await client.DeleteLinkAsync("mk_1");

        var request = Assert.Single(fake.ApiRequests);
        Assert.Equal((HttpMethod.Delete, "/links/mk_1"), (request.Method, request.Path));
    }

    [Fact]
    public async Task ExchangeToken_PostsTheToken_AndReadsTheLink()
    {
        var client = Answering(200, """{"link_id":"mk_1","link":""" + LinkJson + "}");

        var response = await client.ExchangeTokenAsync("exch-123");

        var request = Assert.Single(fake.ApiRequests);
        Assert.Equal((HttpMethod.Post, "/link-session/exchange-token"), (request.Method, request.Path));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"exchangeable_token":"exch-123"}"""), Body(request)));
        Assert.Equal("mk_1", response.LinkId);
        Assert.Equal("Chase", response.Link!.InstitutionName);
    }

    [Fact]
    public async Task ExchangeToken_Rejected_DoesNotPutTheTokenInTheMessage()
    {
        fake.Api = (_, _) => Task.FromResult(FakeMoneyKit.Error(400, "link_session_error.invalid_token_exchange", "req-x"));
        var client = fake.CreateClient(clock);

        var ex = await Assert.ThrowsAsync<MoneyKitException>(() => client.ExchangeTokenAsync("exch-secret-123"));

        Assert.Equal("link_session_error.invalid_token_exchange", ex.ErrorCode);
        Assert.DoesNotContain("exch-secret-123", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateLinkSession_SendsSnakeCaseWithoutNulls_AndReadsTheSessionToken()
    {
        var client = Answering(200, """{"link_session_token":"lst-1","expires_at":"2030-01-01T00:00:00Z"}""");

        var session = await client.CreateLinkSessionAsync(new CreateLinkSessionRequest
        {
            CustomerUser = new MoneyKitCustomerUser { Id = "user-1" },
            ExistingLinkId = "mk_1",
            Webhook = "https://bridge.example/api/webhooks/moneykit",
            LinkTags = ["app:a"],
            Settings = System.Text.Json.JsonDocument.Parse("""{"products":{"transactions":{"required":true}}}""").RootElement,
        });

        var request = Assert.Single(fake.ApiRequests);
        Assert.Equal((HttpMethod.Post, "/link-session"), (request.Method, request.Path));
        var expected = JsonNode.Parse("""
            {"customer_user":{"id":"user-1"},"existing_link_id":"mk_1","webhook":"https://bridge.example/api/webhooks/moneykit",
             "link_tags":["app:a"],"settings":{"products":{"transactions":{"required":true}}}}
            """);
        Assert.True(JsonNode.DeepEquals(expected, Body(request)), request.Body);
        Assert.Equal("lst-1", session.LinkSessionToken);
        Assert.Equal("2030-01-01T00:00:00Z", session.Extra!["expires_at"].GetString());
    }

    [Fact]
    public async Task GetJwksJson_UsesTheClientIdHeader_WithoutABearerToken_AndReturnsTheRawJson()
    {
        const string jwks = """{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"abc","y":"def","alg":"ES256","use":"sig"}]}""";
        var client = Answering(200, jwks);

        var json = await client.GetJwksJsonAsync();

        Assert.Equal(jwks, json);
        Assert.Empty(fake.TokenRequests);
        var request = Assert.Single(fake.Requests);
        Assert.Equal("/.well-known/jwks.json", request.Path);
        Assert.Equal("client-1", request.Header("X-Client-Id"));
        Assert.Null(request.Header("Authorization"));
    }
}

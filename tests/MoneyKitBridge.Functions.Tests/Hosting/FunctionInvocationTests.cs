using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.LinkSessions;
using MoneyKitBridge.Functions.Links;
using MoneyKitBridge.Functions.Transactions;
using MoneyKitBridge.Functions.Webhooks;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// Level 1 of the worker's contract: each <c>[Function]</c> method invoked directly — a <see cref="DefaultHttpContext"/>
/// for the request, the app's real services (real Azurite), no host — and the <see cref="IResult"/> it returns executed:
/// status, headers, body. The worker middleware (auth, headers, limits) is not part of this level.
/// </summary>
public sealed class FunctionInvocationTests : IDisposable
{
    private readonly BridgeAppFactory factory = new();
    private readonly AsyncServiceScope scope;

    public FunctionInvocationTests()
    {
        scope = factory.Services.CreateAsyncScope();
    }

    public void Dispose()
    {
        scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
        factory.Dispose();
    }

    private T Function<T>() where T : class => ActivatorUtilities.CreateInstance<T>(scope.ServiceProvider);

    [Fact]
    public async Task AuthToken_issues_a_bearer_token_for_client_credentials()
    {
        var http = Request("POST", "/api/auth/token", $"grant_type=client_credentials&client_id={BridgeAppFactory.ReaderId}&client_secret={BridgeAppFactory.ReaderSecret}", "application/x-www-form-urlencoded");

        var (status, body) = await ExecuteAsync(http, await Function<AuthFunctions>().AuthTokenAsync(http.Request));

        Assert.Equal(200, status);
        Assert.StartsWith("application/json", http.Response.ContentType, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Bearer", json.RootElement.GetProperty("token_type").GetString(), ignoreCase: true);
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("access_token").GetString()));
    }

    [Fact]
    public async Task AuthToken_refuses_a_wrong_secret_with_a_MoneyKit_error()
    {
        var http = Request("POST", "/api/auth/token", $"grant_type=client_credentials&client_id={BridgeAppFactory.ReaderId}&client_secret=wrong-secret-0123456789", "application/x-www-form-urlencoded");

        var (status, body) = await ExecuteAsync(http, await Function<AuthFunctions>().AuthTokenAsync(http.Request));

        Assert.Equal(401, status);
        Assert.Equal("api_error.auth.unauthorized", ErrorCode(body));
    }

    [Fact]
    public async Task Link_reads_of_an_unknown_link_are_404_link_error_not_found()
    {
        var links = Function<LinkFunctions>();
        var transactions = Function<TransactionFunctions>();
        const string unknown = "mk_link_unknown_0123456789";

        foreach (var (http, invoke) in new (HttpContext, Func<HttpContext, Task<IResult>>)[]
        {
            (Request("GET", $"/api/links/{unknown}"), h => links.GetLinkAsync(h.Request, unknown)),
            (Request("GET", $"/api/links/{unknown}/accounts"), h => links.GetLinkAccountsAsync(h.Request, unknown)),
            (Request("GET", $"/api/links/{unknown}/transactions"), h => transactions.GetLinkTransactionsAsync(h.Request, unknown)),
            (Request("POST", $"/api/links/{unknown}/products", "{}", "application/json"), h => links.RefreshLinkProductsAsync(h.Request, unknown)),
        })
        {
            var (status, body) = await ExecuteAsync(http, await invoke(http));

            Assert.True(status == 404, $"{http.Request.Method} {http.Request.Path}: {status} {body}");
            Assert.Equal("link_error.not_found", ErrorCode(body));
        }
    }

    [Fact]
    public async Task User_reads_of_a_user_without_links_are_empty()
    {
        var linksHttp = Request("GET", "/api/users/nobody/links");
        var (linksStatus, linksBody) = await ExecuteAsync(linksHttp, await Function<LinkFunctions>().GetUserLinksAsync(linksHttp.Request, "nobody"));
        var transactionsHttp = Request("GET", "/api/users/nobody/transactions");
        var (transactionsStatus, transactionsBody) = await ExecuteAsync(transactionsHttp, await Function<TransactionFunctions>().GetUserTransactionsAsync(transactionsHttp.Request, "nobody"));

        Assert.Equal(200, linksStatus);
        Assert.Empty(JsonDocument.Parse(linksBody).RootElement.GetProperty("links").EnumerateObject());
        Assert.Equal(200, transactionsStatus);
        Assert.Equal(0, JsonDocument.Parse(transactionsBody).RootElement.GetProperty("transactions").GetArrayLength());
    }

    [Fact]
    public async Task Link_session_without_a_customer_user_is_422_and_never_reaches_MoneyKit()
    {
        var http = Request("POST", "/api/link-session", """{"institution_id":"instant_bank"}""", "application/json");

        var (status, body) = await ExecuteAsync(http, await Function<LinkSessionFunctions>().CreateLinkSessionAsync(http.Request));

        Assert.Equal(422, status);
        Assert.Equal("api_error.request.validation_failed", ErrorCode(body));
    }

    [Fact]
    public async Task Exchange_with_a_body_that_is_not_JSON_is_400()
    {
        var http = Request("POST", "/api/link-session/exchange-token", "not json", "application/json");

        var (status, body) = await ExecuteAsync(http, await Function<LinkSessionFunctions>().ExchangeLinkSessionTokenAsync(http.Request));

        Assert.Equal(400, status);
        Assert.Equal("api_error.request.bad_request", ErrorCode(body));
    }

    [Fact]
    public async Task Webhook_without_a_signature_is_refused_and_records_nothing()
    {
        var http = Request("POST", "/api/webhooks/moneykit", """{"webhook_event":"link.state_changed"}""", "application/json");

        var (status, body) = await ExecuteAsync(http, await Function<WebhookFunctions>().MoneyKitWebhookAsync(http.Request));

        Assert.InRange(status, 400, 499);
        Assert.False(string.IsNullOrEmpty(body));
    }

    private DefaultHttpContext Request(string method, string path, string? body = null, string? contentType = null)
    {
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Method = method;
        http.Request.Path = path;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            http.Request.Body = new MemoryStream(bytes);
            http.Request.ContentLength = bytes.Length;
            http.Request.ContentType = contentType;
        }

        http.Response.Body = new MemoryStream();
        return http;
    }

    private static async Task<(int Status, string Body)> ExecuteAsync(HttpContext http, IResult result)
    {
        await result.ExecuteAsync(http);
        await http.Response.BodyWriter.FlushAsync(); // what the server does when the response completes
        http.Response.Body.Position = 0;
        using var reader = new StreamReader(http.Response.Body, Encoding.UTF8, leaveOpen: true);
        return (http.Response.StatusCode, await reader.ReadToEndAsync());
    }

    private static string? ErrorCode(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("error_code").GetString();
}

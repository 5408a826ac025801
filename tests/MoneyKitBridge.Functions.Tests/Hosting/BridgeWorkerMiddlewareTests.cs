using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.OpenApi;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// The worker middleware at the worker's edge: <see cref="BridgeWorkerMiddleware.Invoke"/> called as the worker calls
/// it, with a <see cref="WorkerFunctionContext"/> carrying a <see cref="DefaultHttpContext"/>, on a pipeline built from
/// the services worker mode registers (real Azurite, no host). <c>next</c> plays the worker's function executor: it
/// runs the real <c>[Function]</c> method and stores its return value, or fails as a function can (MoneyKit outage
/// included).
/// </summary>
public sealed class BridgeWorkerMiddlewareTests : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly AsyncServiceScope scope;
    private readonly BridgeWorkerMiddleware middleware;

    public BridgeWorkerMiddlewareTests()
    {
        using var factory = new BridgeAppFactory();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(factory.Settings).Build();
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<IConfiguration>(configuration);
        WorkerHosting.AddWorkerServices(collection, configuration);
        services = collection.BuildServiceProvider();
        scope = services.CreateAsyncScope();
        middleware = new BridgeWorkerMiddleware(services);
    }

    public async ValueTask DisposeAsync()
    {
        await scope.DisposeAsync();
        await services.DisposeAsync();
    }

    [Fact]
    public async Task Runs_the_function_and_executes_its_result_leaving_nothing_for_the_worker()
    {
        var (http, response) = Request("GET", "/api/openapi/v1.json");
        var context = new WorkerFunctionContext(BridgeRoutes.GetOpenApiDocument, http, scope.ServiceProvider);
        var calls = 0;

        await middleware.Invoke(context, c =>
        {
            calls++;
            context.Result.Value = OpenApiFunctions.GetOpenApiDocument(http.Request, "v1");
            return Task.CompletedTask;
        });
        var body = await response.CompleteAsync(http);

        Assert.Equal(1, calls);
        Assert.Equal(200, http.Response.StatusCode);
        Assert.Equal(OpenApiDocument.ContentType, http.Response.ContentType);
        Assert.Equal(OpenApiDocument.Utf8.ToArray(), body);
        Assert.Same(Results.Empty, context.Result.Value);
    }

    [Fact]
    public async Task Echoes_a_sane_request_id_and_version()
    {
        var (http, response) = Request("GET", "/api/openapi/v1.json", ("X-Request-Id", "app-req:42.a_b"), ("MoneyKit-Version", ResponseHeadersMiddleware.DefaultVersion));
        var context = new WorkerFunctionContext(BridgeRoutes.GetOpenApiDocument, http, scope.ServiceProvider);

        await middleware.Invoke(context, _ => RunOpenApiFunction(context, http));
        await response.CompleteAsync(http);

        Assert.Equal("app-req:42.a_b", http.Response.Headers["X-Request-Id"].ToString());
        Assert.Equal(ResponseHeadersMiddleware.DefaultVersion, http.Response.Headers["MoneyKit-Version"].ToString());
    }

    [Fact]
    public async Task Generates_a_request_id_and_sets_the_default_version_when_the_caller_sends_none()
    {
        var (http, response) = Request("GET", "/api/openapi/v1.json", ("X-Request-Id", "has space"));
        var context = new WorkerFunctionContext(BridgeRoutes.GetOpenApiDocument, http, scope.ServiceProvider);

        await middleware.Invoke(context, _ => RunOpenApiFunction(context, http));
        await response.CompleteAsync(http);

        Assert.Matches("^[0-9a-f]{32}$", http.Response.Headers["X-Request-Id"].ToString());
        Assert.Equal(http.TraceIdentifier, http.Response.Headers["X-Request-Id"].ToString());
        Assert.Equal(ResponseHeadersMiddleware.DefaultVersion, http.Response.Headers["MoneyKit-Version"].ToString());
    }

    [Fact]
    public async Task A_version_the_bridge_does_not_serve_is_a_MoneyKit_422_and_the_function_does_not_run()
    {
        var (http, response) = Request("GET", "/api/openapi/v1.json", ("MoneyKit-Version", "2099-01-01"));
        var context = new WorkerFunctionContext(BridgeRoutes.GetOpenApiDocument, http, scope.ServiceProvider);
        var calls = 0;

        await middleware.Invoke(context, _ =>
        {
            calls++;
            return RunOpenApiFunction(context, http);
        });
        var body = await response.CompleteAsync(http);

        Assert.Equal(0, calls);
        Assert.Equal(422, http.Response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("api_error.request.validation_failed", json.RootElement.GetProperty("error_code").GetString());
        Assert.Equal(["header", "moneykit-version"], json.RootElement.GetProperty("validation_errors")[0].GetProperty("loc").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(ResponseHeadersMiddleware.DefaultVersion, http.Response.Headers["MoneyKit-Version"].ToString());
    }

    [Fact]
    public async Task A_protected_function_without_a_bearer_token_is_a_MoneyKit_401_and_does_not_run()
    {
        var (http, response) = Request("GET", "/api/links/mk_link_0123456789");
        var context = new WorkerFunctionContext(
            BridgeRoutes.GetLink, http, scope.ServiceProvider, new Dictionary<string, object?> { ["link_id"] = "mk_link_0123456789" });
        var ran = false;

        await middleware.Invoke(context, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        });
        var body = await response.CompleteAsync(http);

        Assert.False(ran);
        AssertMoneyKitError(http, body, 401, ApiErrorCodes.Unauthorized);
        Assert.Equal("Bearer", http.Response.Headers.WWWAuthenticate.ToString());
        Assert.False(string.IsNullOrEmpty(http.Response.Headers["X-Request-Id"]));
    }

    [Fact]
    public async Task A_link_id_that_cannot_be_a_link_is_404_before_the_function_runs()
    {
        var token = await IssueTokenAsync(BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);
        var linkId = new string('x', 4096);
        var (http, response) = Request("GET", "/api/links/" + linkId, ("Authorization", "Bearer " + token));
        var context = new WorkerFunctionContext(BridgeRoutes.GetLink, http, scope.ServiceProvider, new Dictionary<string, object?> { ["link_id"] = linkId });
        var ran = false;

        await middleware.Invoke(context, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        });
        var body = await response.CompleteAsync(http);

        Assert.False(ran);
        AssertMoneyKitError(http, body, 404, "link_error.not_found");
    }

    [Fact]
    public async Task A_MoneyKit_outage_in_a_function_that_calls_MoneyKit_is_a_MoneyKit_503_with_retry_after()
    {
        var token = await IssueTokenAsync(BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret);
        var (http, response) = Request("POST", "/api/link-session", ("Authorization", "Bearer " + token));
        var context = new WorkerFunctionContext(BridgeRoutes.CreateLinkSession, http, scope.ServiceProvider);

        await middleware.Invoke(context, _ => throw new MoneyKit.MoneyKitException("MoneyKit answered 503") { Status = 503, RetryAfter = TimeSpan.FromSeconds(30) });
        var body = await response.CompleteAsync(http);

        AssertMoneyKitError(http, body, 503, "api_error.service_unavailable");
        Assert.Equal("30", http.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_body_over_the_function_limit_is_a_MoneyKit_413()
    {
        var form = "grant_type=client_credentials&client_id=" + new string('a', AuthEndpoints.MaxBodyBytes);
        var (http, response) = Request("POST", "/api/auth/token", body: (form, "application/x-www-form-urlencoded"));
        var context = new WorkerFunctionContext(BridgeRoutes.AuthToken, http, scope.ServiceProvider);
        var function = ActivatorUtilities.CreateInstance<AuthFunctions>(scope.ServiceProvider);

        await middleware.Invoke(context, async _ => context.Result.Value = await function.AuthTokenAsync(http.Request));
        var body = await response.CompleteAsync(http);

        AssertMoneyKitError(http, body, 413, ApiErrorCodes.PayloadTooLarge);
    }

    [Fact]
    public async Task Oversized_headers_are_a_MoneyKit_431_before_the_function_runs()
    {
        var (http, response) = Request("POST", "/api/auth/token", ("X-Padding", new string('p', RequestLimitsMiddleware.MaxHeaderBytes)));
        var context = new WorkerFunctionContext(BridgeRoutes.AuthToken, http, scope.ServiceProvider);
        var ran = false;

        await middleware.Invoke(context, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        });
        var body = await response.CompleteAsync(http);

        Assert.False(ran);
        AssertMoneyKitError(http, body, 431, ApiErrorCodes.HeadersTooLarge);
    }

    [Fact]
    public async Task An_exception_in_the_function_is_a_MoneyKit_500_without_any_detail()
    {
        var (http, response) = Request("POST", "/api/auth/token", ("X-Request-Id", "failing-1"));
        var context = new WorkerFunctionContext(BridgeRoutes.AuthToken, http, scope.ServiceProvider);

        await middleware.Invoke(context, _ => throw new InvalidOperationException("boom: internal detail Server=db;Password=hunter2"));
        var body = await response.CompleteAsync(http);

        AssertMoneyKitError(http, body, 500, ApiErrorCodes.InternalServerError);
        var text = Encoding.UTF8.GetString(body);
        Assert.DoesNotContain("boom", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
        Assert.Equal("failing-1", http.Response.Headers["X-Request-Id"].ToString());
    }

    [Fact]
    public async Task A_timer_invocation_passes_straight_through_without_HTTP()
    {
        var context = new WorkerFunctionContext(BridgeRoutes.RefreshStaleLinks, http: null, scope.ServiceProvider);
        var sentinel = new object();
        context.Result.Value = sentinel;
        var calls = 0;

        await middleware.Invoke(context, c =>
        {
            Assert.Same(context, c);
            calls++;
            return Task.CompletedTask;
        });

        Assert.Equal(1, calls);
        Assert.Same(sentinel, context.Result.Value);
        Assert.DoesNotContain(WorkerFunctionContext.HttpContextKey, context.Items.Keys);
    }

    [Fact]
    public async Task A_timer_failure_reaches_the_worker_unchanged()
    {
        var context = new WorkerFunctionContext(BridgeRoutes.RefreshStaleLinks, http: null, scope.ServiceProvider);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => middleware.Invoke(context, _ => throw new InvalidOperationException("job failed")));

        Assert.Equal("job failed", error.Message);
    }

    // A bearer token from the real token function, run through the middleware as the worker runs it.
    private async Task<string> IssueTokenAsync(string clientId, string clientSecret)
    {
        var (http, response) = Request(
            "POST", "/api/auth/token", body: ($"grant_type=client_credentials&client_id={clientId}&client_secret={clientSecret}", "application/x-www-form-urlencoded"));
        var context = new WorkerFunctionContext(BridgeRoutes.AuthToken, http, scope.ServiceProvider);
        var function = ActivatorUtilities.CreateInstance<AuthFunctions>(scope.ServiceProvider);

        await middleware.Invoke(context, async _ => context.Result.Value = await function.AuthTokenAsync(http.Request));
        var body = await response.CompleteAsync(http);

        Assert.Equal(200, http.Response.StatusCode);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    private static Task RunOpenApiFunction(WorkerFunctionContext context, HttpContext http)
    {
        context.Result.Value = OpenApiFunctions.GetOpenApiDocument(http.Request, "v1");
        return Task.CompletedTask;
    }

    private static void AssertMoneyKitError(HttpContext http, byte[] body, int status, string errorCode)
    {
        Assert.Equal(status, http.Response.StatusCode);
        Assert.StartsWith("application/json", http.Response.ContentType, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(errorCode, json.RootElement.GetProperty("error_code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("error_message").GetString()));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("documentation_url").ValueKind);
        Assert.Equal(3, json.RootElement.EnumerateObject().Count());
    }

    private (DefaultHttpContext Http, ServerResponse Response) Request(
        string method, string path, (string Name, string Value)? header = null, (string Name, string Value)? header2 = null, (string Text, string ContentType)? body = null)
    {
        var response = new ServerResponse();
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature());
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(response.Body));
        var http = new DefaultHttpContext(features) { RequestServices = scope.ServiceProvider };
        http.Request.Method = method;
        http.Request.Path = path;
        foreach (var (name, value) in new[] { header, header2 }.OfType<(string Name, string Value)>())
        {
            http.Request.Headers[name] = value;
        }

        if (body is var (text, contentType))
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            http.Request.Body = new MemoryStream(bytes);
            http.Request.ContentLength = bytes.Length;
            http.Request.ContentType = contentType;
        }

        return (http, response);
    }

    /// <summary>
    /// The server side of the response: collects the <c>OnStarting</c> callbacks (the app sets <c>X-Request-Id</c> and
    /// <c>MoneyKit-Version</c> there) and runs them when the response completes, as Kestrel does before the headers go out.
    /// </summary>
    private sealed class ServerResponse : HttpResponseFeature
    {
        private readonly Stack<(Func<object, Task> Callback, object State)> starting = new();

        public ServerResponse() => Body = new MemoryStream();

        public override void OnStarting(Func<object, Task> callback, object state) => starting.Push((callback, state));

        public async Task<byte[]> CompleteAsync(HttpContext http)
        {
            await http.Response.BodyWriter.FlushAsync();
            while (starting.TryPop(out var entry))
            {
                await entry.Callback(entry.State);
            }

            return ((MemoryStream)Body).ToArray();
        }
    }
}

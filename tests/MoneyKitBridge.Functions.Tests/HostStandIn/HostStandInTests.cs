using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MoneyKit.Sandbox;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.Tests.Api;
using MoneyKitBridge.Functions.Tests.Hosting;

namespace MoneyKitBridge.Functions.Tests.HostStandIn;

/// <summary>The built worker in host mode, started and loaded once by <see cref="FunctionsHostStandIn"/>, against Azurite and the sandbox.</summary>
public sealed class HostStandInFixture : IAsyncLifetime
{
    private SandboxServer? sandbox;

    public FunctionsHostStandIn Host { get; } = new();

    public async Task InitializeAsync()
    {
        sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        var settings = StandaloneProcess.ValidSettings();
        settings["MoneyKit__BaseUrl"] = sandbox.BaseAddress.ToString();
        settings["RefreshStaleLinks__Schedule"] = "0 */15 * * * *";
        settings["Reconcile__Schedule"] = "0 30 2 * * *";
        await Host.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        if (sandbox is not null)
        {
            await sandbox.DisposeAsync();
        }
    }
}

public sealed class HostStandInTests(HostStandInFixture fixture) : IClassFixture<HostStandInFixture>
{
    private FunctionsHostStandIn Host => fixture.Host;

    [Fact]
    public void Worker_starts_in_host_mode_and_advertises_its_http_endpoint_on_loopback()
    {
        Assert.True(Host.HttpUri.IsLoopback, Host.HttpUri.ToString());
        Assert.Equal(".NET", Host.InitResponse.GetProperty("workerMetadata").GetProperty("runtimeName").GetString());
    }

    [Fact]
    public void Functions_metadata_is_the_route_table_and_the_timer_and_every_function_loads()
    {
        var declared = Host.Functions.Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: RawTrigger(f))).ToList();

        var http = declared.Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger")
            .Select(f => (f.Name, Method: Assert.Single(f.Trigger.GetProperty("methods").EnumerateArray()).GetString(), Route: f.Trigger.GetProperty("route").GetString()));
        Assert.Equal(BridgeRoutes.All.Select(r => (r.Name, (string?)r.Method, (string?)r.Route)).Order(), http.Order());
        var timers = declared.Where(f => f.Trigger.GetProperty("type").GetString() == "timerTrigger")
            .Select(f => (f.Name, Schedule: f.Trigger.GetProperty("schedule").GetString()!));
        Assert.Equal(BridgeRoutes.Timers.Order(), timers.Order());
        Assert.Equal(BridgeRoutes.All.Count + BridgeRoutes.Timers.Count, declared.Count);
    }

    [Fact]
    public async Task Http_invocation_binds_the_form_body_and_the_worker_middleware_echoes_request_headers()
    {
        using var request = TokenRequest();
        request.Headers.Add(ResponseHeadersMiddleware.RequestIdHeader, "stand-in-req-1");
        request.Headers.Add(ResponseHeadersMiddleware.VersionHeader, ResponseHeadersMiddleware.DefaultVersion);

        var (response, invocation) = await Host.InvokeHttpAsync(BridgeRoutes.AuthToken, request);

        using (response)
        {
            AssertSuccess(invocation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(string.IsNullOrEmpty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()));
            Assert.Equal("stand-in-req-1", Assert.Single(response.Headers.GetValues(ResponseHeadersMiddleware.RequestIdHeader)));
            Assert.Equal(ResponseHeadersMiddleware.DefaultVersion, Assert.Single(response.Headers.GetValues(ResponseHeadersMiddleware.VersionHeader)));
        }
    }

    [Fact]
    public async Task Http_invocation_without_a_bearer_is_refused_by_the_worker_middleware_with_a_MoneyKit_error()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/links/mk_link_0123456789abcdef", UriKind.Relative));

        var (response, invocation) = await Host.InvokeHttpAsync(BridgeRoutes.GetLink, request, new Dictionary<string, string> { ["link_id"] = "mk_link_0123456789abcdef" });

        using (response)
        {
            AssertSuccess(invocation);
            await MoneyKitErrors.AssertAsync(response, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
            Assert.Equal(ResponseHeadersMiddleware.DefaultVersion, Assert.Single(response.Headers.GetValues(ResponseHeadersMiddleware.VersionHeader)));
        }
    }

    [Fact]
    public async Task Http_invocation_binds_route_values_and_query()
    {
        var token = await TokenAsync();

        var (document, _) = await Host.InvokeHttpAsync(
            BridgeRoutes.GetOpenApiDocument, Get("/api/openapi/v1.json", token), new Dictionary<string, string> { ["documentName"] = "v1" });
        var (unknownLink, _) = await Host.InvokeHttpAsync(
            BridgeRoutes.GetLink, Get("/api/links/mk_link_0123456789abcdef", token), new Dictionary<string, string> { ["link_id"] = "mk_link_0123456789abcdef" });
        var (badSize, _) = await Host.InvokeHttpAsync(
            BridgeRoutes.GetUserTransactions, Get("/api/users/stand-in-user/transactions?size=0", token), new Dictionary<string, string> { ["user_id"] = "stand-in-user" });
        var (goodSize, invocation) = await Host.InvokeHttpAsync(
            BridgeRoutes.GetUserTransactions, Get("/api/users/stand-in-user/transactions?size=5", token), new Dictionary<string, string> { ["user_id"] = "stand-in-user" });

        using (document)
        using (unknownLink)
        using (badSize)
        using (goodSize)
        {
            // The function reads the route value the invocation carries: sent as "v2" with this same URL it answers 404.
            Assert.Equal(HttpStatusCode.OK, document.StatusCode);
            Assert.True((await document.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("paths", out _));
            await MoneyKitErrors.AssertAsync(unknownLink, HttpStatusCode.NotFound, "link_error.not_found");
            var validation = await MoneyKitErrors.AssertAsync(badSize, HttpStatusCode.UnprocessableEntity, "api_error.request.validation_failed");
            Assert.Equal(["query.size"], MoneyKitErrors.Locations(validation));
            AssertSuccess(invocation);
            Assert.Equal(HttpStatusCode.OK, goodSize.StatusCode);
            Assert.Equal(0, (await goodSize.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transactions").GetArrayLength());
        }
    }

    [Fact]
    public async Task Timer_invocation_past_due_runs_the_refresh_job_against_storage()
    {
        var invocation = await Host.InvokeTimerAsync(BridgeRoutes.RefreshStaleLinks, isPastDue: true);

        AssertSuccess(invocation);
        var id = invocation.GetProperty("invocationId").GetString()!;
        await Host.LogAsync(id, "RefreshStaleLinks: started (past due)");
        await Host.LogAsync(id, "RefreshStaleLinks: due=0 refreshed=0"); // the planner read the (empty) link tables
        await Host.LogAsync(id, "RefreshStaleLinks: webhook_keys_purged=0");
        await Host.LogAsync(id, "RefreshStaleLinks: completed in");
    }

    [Fact]
    public async Task Reconcile_timer_invocation_runs_the_reconciliation_job_against_MoneyKit_and_storage()
    {
        var invocation = await Host.InvokeTimerAsync(BridgeRoutes.Reconcile, isPastDue: false);

        AssertSuccess(invocation);
        var id = invocation.GetProperty("invocationId").GetString()!;
        await Host.LogAsync(id, "Reconcile: started");
        await Host.LogAsync(id, "Reconcile: status="); // ran, or notdue when another test's firing completed the cycle
        await Host.LogAsync(id, "Reconcile: completed in");
    }

    private static JsonElement RawTrigger(JsonElement function) =>
        function.GetProperty("rawBindings").EnumerateArray().Select(b => JsonDocument.Parse(b.GetString()!).RootElement)
            .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    private static void AssertSuccess(JsonElement invocation) =>
        Assert.True(invocation.GetProperty("result").TryGetProperty("status", out var status) && status.GetString() == "Success", invocation.ToString());

    private static HttpRequestMessage TokenRequest() => new(HttpMethod.Post, new Uri("/api/auth/token", UriKind.Relative))
    {
        Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = BridgeAppFactory.ReaderId,
            ["client_secret"] = BridgeAppFactory.ReaderSecret,
        }),
    };

    private static HttpRequestMessage Get(string path, string token) => new(HttpMethod.Get, new Uri(path, UriKind.Relative))
    {
        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    private async Task<string> TokenAsync()
    {
        using var request = TokenRequest();
        var (response, _) = await Host.InvokeHttpAsync(BridgeRoutes.AuthToken, request);
        using (response)
        {
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        }
    }
}

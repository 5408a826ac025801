using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace MoneyKit.Sandbox.Tests;

public sealed class AuthTests
{
    [Fact]
    public async Task Token_from_form_basic_and_json_bodies_all_authorize_api_calls()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var link = await sandbox.CreateLinkAsync(new { customer_user_id = "user-1" });
        var linkId = link["link_id"]!.GetValue<string>();

        var formToken = await sandbox.GetTokenAsync();

        using var basic = new HttpRequestMessage(HttpMethod.Post, "auth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("sandbox_client_id:sandbox_client_secret")));
        using var basicResponse = await sandbox.Http.SendAsync(basic);
        var basicJson = await SandboxHarness.ReadJsonAsync(basicResponse);
        Assert.Equal("bearer", basicJson["token_type"]!.GetValue<string>());
        Assert.Equal(3600, basicJson["expires_in"]!.GetValue<int>());

        using var jsonResponse = await sandbox.Http.PostAsJsonAsync("auth/token", new { grant_type = "client_credentials", client_id = "sandbox_client_id", client_secret = "sandbox_client_secret" });
        var jsonToken = (await SandboxHarness.ReadJsonAsync(jsonResponse))["access_token"]!.GetValue<string>();

        foreach (var token in new[] { formToken, basicJson["access_token"]!.GetValue<string>(), jsonToken })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"links/{linkId}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await sandbox.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(3, new[] { formToken, basicJson["access_token"]!.GetValue<string>(), jsonToken }.Distinct().Count());
    }

    [Fact]
    public async Task Wrong_secret_or_missing_credentials_answer_401_unauthorized()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var badSecret = await sandbox.Http.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "sandbox_client_id",
            ["client_secret"] = "wrong",
        }));
        await SandboxHarness.AssertErrorAsync(badSecret, 401, "api_error.auth.unauthorized");

        using var noAuth = await sandbox.Http.GetAsync("links/mk_whatever/transactions");
        await SandboxHarness.AssertErrorAsync(noAuth, 401, "api_error.auth.unauthorized");

        using var request = new HttpRequestMessage(HttpMethod.Get, "links/mk_whatever");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "mk_at_forged");
        using var forged = await sandbox.Http.SendAsync(request);
        await SandboxHarness.AssertErrorAsync(forged, 401, "api_error.auth.unauthorized");
    }

    [Fact]
    public async Task Token_expires_after_its_lifetime_and_on_demand()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.AccessTokenLifetime = TimeSpan.FromMinutes(10));
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();

        sandbox.Clock.Advance(TimeSpan.FromMinutes(9));
        using (var stillValid = await sandbox.Http.GetAsync($"links/{linkId}"))
        {
            Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        }

        sandbox.Clock.Advance(TimeSpan.FromMinutes(1));
        using (var expired = await sandbox.Http.GetAsync($"links/{linkId}"))
        {
            await SandboxHarness.AssertErrorAsync(expired, 401, "api_error.auth.expired_access_token");
        }

        await sandbox.AuthenticateAsync();
        using (var expire = await sandbox.Http.PostAsync("sandbox/tokens/expire", null))
        {
            expire.EnsureSuccessStatusCode();
        }

        using var forced = await sandbox.Http.GetAsync($"links/{linkId}");
        await SandboxHarness.AssertErrorAsync(forced, 401, "api_error.auth.expired_access_token");
    }

    [Fact]
    public async Task Client_id_and_secret_headers_authorize_api_calls()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u" }))["link_id"]!.GetValue<string>();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"links/{linkId}/accounts");
        request.Headers.Add("X-Client-Id", "sandbox_client_id");
        request.Headers.Add("X-Client-Secret", "sandbox_client_secret");
        using var response = await sandbox.Http.SendAsync(request);
        var json = await SandboxHarness.ReadJsonAsync(response);
        Assert.Equal(3, json["accounts"]!.AsArray().Count);
    }

    [Fact]
    public async Task Links_of_another_app_are_not_found()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.Apps.Add(new SandboxApp("other_app", "other_secret")));
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u", client_id = "other_app" }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();
        using var response = await sandbox.Http.GetAsync($"links/{linkId}");
        await SandboxHarness.AssertErrorAsync(response, 404, "link_error.not_found");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"links/{linkId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await sandbox.GetTokenAsync("other_app", "other_secret"));
        using var own = await sandbox.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MoneyKit.Sandbox.Tests;

public sealed class ConnectTests
{
    private static async Task<string> StartSessionAsync(SandboxHarness sandbox, string? institutionId, string? redirectUri = null)
    {
        using var response = await sandbox.Http.PostAsJsonAsync("link-session", new
        {
            customer_user = new { id = "customer-1" },
            institution_id = institutionId,
            redirect_uri = redirectUri,
            settings = new { products = new { accounts = new { required = true }, transactions = new { required = true, prefetch = true } } },
        });
        return (await SandboxHarness.ReadJsonAsync(response))["link_session_token"]!.GetValue<string>();
    }

    internal static async Task<JsonObject> PostStepAsync(SandboxHarness sandbox, string token, string step, object body)
    {
        using var response = await sandbox.Http.PostAsJsonAsync($"sandbox/connect/{token}/{step}", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await SandboxHarness.ReadJsonAsync(response);
    }

    internal static async Task<JsonObject> ExchangeAsync(SandboxHarness sandbox, string exchangeableToken)
    {
        using var response = await sandbox.Http.PostAsJsonAsync("link-session/exchange-token", new { exchangeable_token = exchangeableToken });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await SandboxHarness.ReadJsonAsync(response);
    }

    [Theory]
    [InlineData("user_good", "pass_good", null)]
    [InlineData("user_1", "pass_good", null)]
    [InlineData("user_2", "pass_good", null)]
    [InlineData("user_good", "mfa_device", "1234")]
    [InlineData("user_good", "mfa_question", "Hello,World")]
    [InlineData("user_good", "mfa_selections", "Blue")]
    public async Task Credentials_bank_users_connect(string username, string password, string? answers)
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        var token = await StartSessionAsync(sandbox, institutionId: null);
        Assert.Equal("credentials", (await PostStepAsync(sandbox, token, "institution", new { institution_id = "credentials_bank" }))["step"]!.GetValue<string>());

        var step = await PostStepAsync(sandbox, token, "credentials", new { username, password });
        if (answers is not null)
        {
            Assert.Equal("mfa", step["step"]!.GetValue<string>());
            var questions = step["mfa"]!["questions"]!.AsArray();
            Assert.Equal(answers.Split(',').Length, questions.Count);
            Assert.All(answers.Split(','), a => Assert.Contains(questions, q => q!["prompt"]!.GetValue<string>().Contains(a, StringComparison.Ordinal)));
            var linkId = step["link_id"]?.GetValue<string>();
            Assert.Null(linkId);
            step = await PostStepAsync(sandbox, token, "mfa", new { answers = answers.Split(',') });
        }

        Assert.Equal("complete", step["step"]!.GetValue<string>());
        Assert.Equal("awaiting_token_exchange", (await sandbox.GetJsonAsync($"links/{step["link_id"]}"))["state"]!.GetValue<string>());
        var exchanged = await ExchangeAsync(sandbox, step["exchangeable_token"]!.GetValue<string>());
        Assert.Equal(step["link_id"]!.GetValue<string>(), exchanged["link_id"]!.GetValue<string>());
        Assert.Equal("connected", exchanged["link"]!["state"]!.GetValue<string>());
        Assert.Equal(2, (await sandbox.GetJsonAsync($"links/{exchanged["link_id"]}/transactions"))["total"]!.GetValue<int>());

        using var again = await sandbox.Http.PostAsJsonAsync("link-session/exchange-token", new { exchangeable_token = step["exchangeable_token"]!.GetValue<string>() });
        await SandboxHarness.AssertErrorAsync(again, 422, "link_session_error.invalid_token_exchange");
    }

    [Theory]
    [InlineData("user_good", "wrong", null, "invalid_credentials")]
    [InlineData("someone", "pass_good", null, "invalid_credentials")]
    [InlineData("user_good", "mfa_device", "0000", "user_input_incorrect")]
    [InlineData("user_good", "mfa_question", "Hello,Mars", "user_input_incorrect")]
    [InlineData("user_good", "mfa_selections", "Red", "user_input_incorrect")]
    public async Task Credentials_bank_failures_put_the_link_in_error(string username, string password, string? answers, string errorCode)
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        var token = await StartSessionAsync(sandbox, "credentials_bank");
        var step = await PostStepAsync(sandbox, token, "credentials", new { username, password });
        if (answers is not null)
        {
            step = await PostStepAsync(sandbox, token, "mfa", new { answers = answers.Split(',') });
        }

        Assert.Equal("failed", step["step"]!.GetValue<string>());
        Assert.Equal(errorCode, step["error_code"]!.GetValue<string>());
        Assert.Null(step["exchangeable_token"]);
        var link = await sandbox.GetJsonAsync($"links/{step["link_id"]}");
        Assert.Equal("error", link["state"]!.GetValue<string>());
        Assert.Equal(errorCode, link["error_code"]!.GetValue<string>());
    }

    [Fact]
    public async Task OAuth_bank_redirects_back_with_an_exchangeable_token()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        var token = await StartSessionAsync(sandbox, "oauth_bank", "https://app.example/return?state=abc");
        var step = await sandbox.GetJsonAsync($"sandbox/connect/{token}");
        Assert.Equal("oauth", step["step"]!.GetValue<string>());

        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = sandbox.Server.BaseAddress };
        using var authorize = await noRedirects.GetAsync(step["oauth_url"]!.GetValue<string>().TrimStart('/'));
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var location = authorize.Headers.Location!;
        Assert.StartsWith("https://app.example/return?state=abc&exchangeable_token=", location.ToString(), StringComparison.Ordinal);
        var exchangeable = Uri.UnescapeDataString(location.Query.Split("exchangeable_token=")[1]);

        var exchanged = await ExchangeAsync(sandbox, exchangeable);
        Assert.Equal("oauth_bank", exchanged["link"]!["institution_id"]!.GetValue<string>());
        Assert.Equal("connected", exchanged["link"]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancel_ends_the_session_with_user_cancelled_and_creates_no_link()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        var token = await StartSessionAsync(sandbox, "credentials_bank", "https://app.example/return");
        var step = await PostStepAsync(sandbox, token, "cancel", new { });
        Assert.Equal("failed", step["step"]!.GetValue<string>());
        Assert.Equal("user_cancelled", step["error_code"]!.GetValue<string>());
        Assert.Null(step["link_id"]);
        Assert.Null(step["exchangeable_token"]);

        using var again = await sandbox.Http.PostAsJsonAsync($"sandbox/connect/{token}/cancel", new { });
        await SandboxHarness.AssertErrorAsync(again, 409, "link_session_error.wrong_step");
        using var login = await sandbox.Http.PostAsJsonAsync($"sandbox/connect/{token}/credentials", new { username = "user_good", password = "pass_good" });
        await SandboxHarness.AssertErrorAsync(login, 409, "link_session_error.wrong_step");
    }

    [Fact]
    public async Task Instant_bank_grants_everything_without_questions()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        var token = await StartSessionAsync(sandbox, "instant_bank");
        var step = await sandbox.GetJsonAsync($"sandbox/connect/{token}");
        Assert.Equal("complete", step["step"]!.GetValue<string>());
        var exchanged = await ExchangeAsync(sandbox, step["exchangeable_token"]!.GetValue<string>());
        var products = exchanged["link"]!["products"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["accounts", "transactions"], products);
        Assert.Equal(3, (await sandbox.GetJsonAsync($"links/{exchanged["link_id"]}/accounts"))["accounts"]!.AsArray().Count);
    }

    [Fact]
    public async Task Link_session_requires_a_customer_user()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        using var response = await sandbox.Http.PostAsJsonAsync("link-session", new { webhook = "https://app.example/hook" });
        await SandboxHarness.AssertErrorAsync(response, 422, "api_error.request.validation_failed");
        using var institutions = await sandbox.Http.GetAsync("institutions");
        Assert.Equal(
            ["credentials_bank", "oauth_bank", "instant_bank"],
            (await SandboxHarness.ReadJsonAsync(institutions))["institutions"]!.AsArray().Select(i => i!["institution_id"]!.GetValue<string>()));
    }
}

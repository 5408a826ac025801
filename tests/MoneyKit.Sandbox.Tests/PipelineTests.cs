using System.Net;
using System.Net.Http.Json;

namespace MoneyKit.Sandbox.Tests;

public sealed class PipelineTests
{
    [Fact]
    public async Task Every_response_has_a_request_id_and_echoes_the_version()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "institutions");
        request.Headers.Add("MoneyKit-Version", "2023-02-18");
        using var response = await sandbox.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("2023-02-18", response.Headers.GetValues("MoneyKit-Version").Single());
        using var other = await sandbox.Http.GetAsync("nowhere");
        await SandboxHarness.AssertErrorAsync(other, 404, "api_error.not_found");
        Assert.NotEqual(response.Headers.GetValues("X-Request-Id").Single(), other.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task Injected_faults_answer_503_drop_the_connection_and_give_http_date_retry_after()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        (await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path_prefix = "/institutions", status = 503, count = 1 })).EnsureSuccessStatusCode();
        (await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path_prefix = "/institutions", drop_connection = true, count = 1 })).EnsureSuccessStatusCode();
        (await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path_prefix = "/institutions", status = 429, retry_after_seconds = 120, retry_after_http_date = true })).EnsureSuccessStatusCode();

        using (var unavailable = await sandbox.Http.GetAsync("institutions"))
        {
            await SandboxHarness.AssertErrorAsync(unavailable, 503, "api_error.service_unavailable");
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => sandbox.Http.GetAsync("institutions"));

        using (var limited = await sandbox.Http.GetAsync("institutions"))
        {
            await SandboxHarness.AssertErrorAsync(limited, 429, "api_error.rate_limit_exceeded");
            Assert.Equal(sandbox.Clock.GetUtcNow() + TimeSpan.FromSeconds(120), limited.Headers.RetryAfter!.Date);
        }

        using (var ok = await sandbox.Http.GetAsync("institutions"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var log = await sandbox.GetJsonArrayAsync("sandbox/requests");
        Assert.Equal([503, 0, 429, 200], log.Where(e => e!["path"]!.GetValue<string>() == "/institutions").Select(e => e!["status"]!.GetValue<int>()));
        Assert.DoesNotContain(log, e => e!["path"]!.GetValue<string>().StartsWith("/sandbox", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fault_with_skip_lets_that_many_matching_calls_through_first()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();
        using (var refused = await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path_prefix = "/institutions", status = 503, skip = -1 }))
        {
            await SandboxHarness.AssertErrorAsync(refused, 422, "api_error.request.validation_failed");
        }

        (await sandbox.Http.PostAsJsonAsync("sandbox/faults", new { path_prefix = "/institutions", status = 503, count = 2, skip = 2 })).EnsureSuccessStatusCode();
        for (var i = 0; i < 5; i++)
        {
            (await sandbox.Http.GetAsync("institutions")).Dispose();
        }

        var log = await sandbox.GetJsonArrayAsync("sandbox/requests");
        Assert.Equal([200, 200, 503, 503, 200], log.Where(e => e!["path"]!.GetValue<string>() == "/institutions").Select(e => e!["status"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Invalid_options_are_refused_at_start()
    {
        var options = new SandboxOptions { AccessTokenLifetime = TimeSpan.Zero };
        await Assert.ThrowsAsync<ArgumentException>(() => SandboxServer.StartAsync(options));
    }
}

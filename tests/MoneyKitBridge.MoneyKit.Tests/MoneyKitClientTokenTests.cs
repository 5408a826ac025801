using MoneyKitBridge.Testing;

namespace MoneyKitBridge.MoneyKit.Tests;

public sealed class MoneyKitClientTokenTests : IDisposable
{
    private const string LinkJson = """{"link_id":"mk_1","state":"connected"}""";

    private readonly TestClock clock = new();
    private readonly FakeMoneyKit fake = new() { Api = (_, _) => Task.FromResult(FakeMoneyKit.Json(200, LinkJson)) };

    public void Dispose() => fake.Dispose();

    [Fact]
    public async Task Token_IsRequestedWithClientCredentialsForm_AndSentAsBearer()
    {
        var client = fake.CreateClient(clock);

        await client.GetLinkAsync("mk_1");

        var tokenRequest = Assert.Single(fake.TokenRequests);
        Assert.Equal(HttpMethod.Post, tokenRequest.Method);
        Assert.StartsWith("application/x-www-form-urlencoded", tokenRequest.Header("Content-Type"), StringComparison.Ordinal);
        var form = FakeMoneyKit.ParseForm(tokenRequest.Body);
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal("client-1", form["client_id"]);
        Assert.Equal("secret-1", form["client_secret"]);
        Assert.Equal("Bearer tok-1", Assert.Single(fake.ApiRequests).Header("Authorization"));
    }

    [Fact]
    public async Task ConcurrentCallers_ShareOneTokenRequest()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.Token = async (_, _) =>
        {
            await release.Task;
            return fake.IssueToken();
        };
        var client = fake.CreateClient(clock);

        var calls = Enumerable.Range(0, 10).Select(_ => Task.Run(() => client.GetLinkAsync("mk_1"))).ToArray();
        await Eventually.TrueAsync(() => fake.TokenRequests.Count == 1, "the first token request");
        release.SetResult();
        await Task.WhenAll(calls);

        Assert.Single(fake.TokenRequests);
        Assert.Equal(10, fake.ApiRequests.Count);
        Assert.All(fake.ApiRequests, r => Assert.Equal("Bearer tok-1", r.Header("Authorization")));
    }

    [Fact]
    public async Task Token_IsReusedUntilTheRefreshAheadWindow_ThenRenewedBeforeItExpires()
    {
        var client = fake.CreateClient(clock, new MoneyKitOptions { TokenRefreshAhead = TimeSpan.FromMinutes(2) });

        await client.GetLinkAsync("mk_1");
        clock.Advance(TimeSpan.FromMinutes(58) - TimeSpan.FromSeconds(1));
        await client.GetLinkAsync("mk_1");
        Assert.Single(fake.TokenRequests);

        clock.Advance(TimeSpan.FromSeconds(1));
        await client.GetLinkAsync("mk_1");

        Assert.Equal(2, fake.TokenRequests.Count);
        Assert.Equal(["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"], fake.ApiRequests.Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task ShortLivedToken_IsRenewedAtHalfItsLifetime()
    {
        fake.TokenLifetimeSeconds = 60;
        var client = fake.CreateClient(clock, new MoneyKitOptions { TokenRefreshAhead = TimeSpan.FromMinutes(2) });

        await client.GetLinkAsync("mk_1");
        clock.Advance(TimeSpan.FromSeconds(29));
        await client.GetLinkAsync("mk_1");
        clock.Advance(TimeSpan.FromSeconds(1));
        await client.GetLinkAsync("mk_1");

        Assert.Equal(["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"], fake.ApiRequests.Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task ExpiredAccessToken_IsRenewedOnce_AndTheCallRetried()
    {
        fake.Api = (r, _) => Task.FromResult(r.Header("Authorization") == "Bearer tok-1"
            ? FakeMoneyKit.Error(401, "api_error.auth.expired_access_token")
            : FakeMoneyKit.Json(200, LinkJson));
        var client = fake.CreateClient(clock);

        var link = await client.GetLinkAsync("mk_1");

        Assert.Equal("mk_1", link.LinkId);
        Assert.Equal(2, fake.TokenRequests.Count);
        Assert.Equal(["Bearer tok-1", "Bearer tok-2"], fake.ApiRequests.Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task ExpiredAccessToken_AgainAfterRenewal_Throws()
    {
        fake.Api = (_, _) => Task.FromResult(FakeMoneyKit.Error(401, "api_error.auth.expired_access_token", "req-exp"));
        var client = fake.CreateClient(clock);

        var ex = await Assert.ThrowsAsync<MoneyKitException>(() => client.GetLinkAsync("mk_1"));

        Assert.Equal(401, ex.Status);
        Assert.Equal("api_error.auth.expired_access_token", ex.ErrorCode);
        Assert.Equal("req-exp", ex.RequestId);
        Assert.Equal(2, fake.TokenRequests.Count);
        Assert.Equal(2, fake.ApiRequests.Count);
        Assert.DoesNotContain("tok-", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentCallsRejectingTheSameExpiredToken_RenewItOnce()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.Api = async (r, _) =>
        {
            if (r.Header("Authorization") == "Bearer tok-1")
            {
                await release.Task;
                return FakeMoneyKit.Error(401, "api_error.auth.expired_access_token");
            }

            return FakeMoneyKit.Json(200, LinkJson);
        };
        var client = fake.CreateClient(clock);

        var calls = Enumerable.Range(0, 5).Select(_ => Task.Run(() => client.GetLinkAsync("mk_1"))).ToArray();
        await Eventually.TrueAsync(() => fake.ApiRequests.Count == 5, "five calls with the first token");
        release.SetResult();
        await Task.WhenAll(calls);

        Assert.Equal(2, fake.TokenRequests.Count);
    }

    [Fact]
    public async Task Unauthorized_ReloadsCredentialsOnce_AndRetriesWithANewToken()
    {
        var reloads = new List<bool>();
        MoneyKitCredentialResolver credentials = (forceReload, _) =>
        {
            reloads.Add(forceReload);
            return ValueTask.FromResult(new MoneyKitCredentials("client-1", forceReload ? "secret-2" : "secret-1"));
        };
        fake.Api = (r, _) => Task.FromResult(r.Header("Authorization") == "Bearer tok-1"
            ? FakeMoneyKit.Error(401, "api_error.auth.unauthorized")
            : FakeMoneyKit.Json(200, LinkJson));
        var client = fake.CreateClient(clock, credentials: credentials);

        await client.GetLinkAsync("mk_1");

        Assert.Equal([false, true], reloads);
        Assert.Equal(["secret-1", "secret-2"], fake.TokenRequests.Select(r => FakeMoneyKit.ParseForm(r.Body)["client_secret"]));
        Assert.Equal("Bearer tok-2", fake.ApiRequests[^1].Header("Authorization"));
    }

    [Fact]
    public async Task Unauthorized_AfterReload_ThrowsWithoutLeakingSecretsOrTokens()
    {
        var reloads = 0;
        MoneyKitCredentialResolver credentials = (forceReload, _) =>
        {
            reloads += forceReload ? 1 : 0;
            return ValueTask.FromResult(new MoneyKitCredentials("client-1", "secret-1"));
        };
        fake.Api = (_, _) => Task.FromResult(FakeMoneyKit.Error(401, "api_error.auth.unauthorized", "req-401"));
        var client = fake.CreateClient(clock, credentials: credentials);

        var ex = await Assert.ThrowsAsync<MoneyKitException>(() => client.GetLinkAsync("mk_1"));

        Assert.Equal(1, reloads);
        Assert.Equal(2, fake.ApiRequests.Count);
        Assert.Equal("api_error.auth.unauthorized", ex.ErrorCode);
        Assert.Contains("req-401", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-1", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tok-", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenEndpointRejectingTheSecret_ReloadsCredentialsOnce()
    {
        var reloads = new List<bool>();
        MoneyKitCredentialResolver credentials = (forceReload, _) =>
        {
            reloads.Add(forceReload);
            return ValueTask.FromResult(new MoneyKitCredentials("client-1", forceReload ? "rotated" : "stale"));
        };
        fake.Token = (r, _) => Task.FromResult(FakeMoneyKit.ParseForm(r.Body)["client_secret"] == "rotated"
            ? fake.IssueToken()
            : FakeMoneyKit.Error(401, "api_error.auth.unauthorized"));
        var client = fake.CreateClient(clock, credentials: credentials);

        await client.GetLinkAsync("mk_1");

        Assert.Equal([false, true], reloads);
        Assert.Equal("Bearer tok-1", Assert.Single(fake.ApiRequests).Header("Authorization"));
    }

    [Fact]
    public async Task FailedTokenRequest_FailsTheWaitingCalls_AndTheNextCallTriesAgain()
    {
        var fail = true;
        fake.Token = (_, _) => Task.FromResult(fail ? FakeMoneyKit.Error(400, "api_error.request.validation_failed", "req-tok") : fake.IssueToken());
        var client = fake.CreateClient(clock);

        var ex = await Assert.ThrowsAsync<MoneyKitException>(() => client.GetLinkAsync("mk_1"));
        fail = false;
        await client.GetLinkAsync("mk_1");

        Assert.Equal(400, ex.Status);
        Assert.Equal("req-tok", ex.RequestId);
        Assert.Equal(2, fake.TokenRequests.Count);
        Assert.Single(fake.ApiRequests);
    }
}

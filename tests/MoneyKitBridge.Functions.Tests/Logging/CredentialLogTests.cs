using System.Text;
using MoneyKitBridge.Functions.Tests.Api;

namespace MoneyKitBridge.Functions.Tests.Logging;

/// <summary>
/// A careless client sends credentials in the query string, in headers (Authorization, cookies, custom ones) and in
/// bodies, on every route: nothing the app or the framework logs, at any level, contains one of them.
/// </summary>
[Collection(HostileClientGroup.Name)]
public sealed class CredentialLogTests(HostileClientFixture fixture)
{
    private const string Prefix = HostileRequest.CanaryPrefix + "Log";

    public static TheoryData<string, string> Routes => new()
    {
        { "POST", "/api/auth/token" },
        { "GET", "/api/links/{link}" },
        { "GET", "/api/links/{link}/accounts" },
        { "GET", "/api/links/{link}/transactions" },
        { "GET", "/api/users/hostile-client-user/links" },
        { "GET", "/api/users/hostile-client-user/transactions" },
        { "POST", "/api/link-session" },
        { "POST", "/api/link-session/exchange-token" },
        { "POST", "/api/links/mk_no_such_link_canary/products" },
        { "DELETE", "/api/links/mk_no_such_link_canary" },
        { "POST", "/api/webhooks/moneykit" },
        { "GET", "/api/openapi/v1.json" },
        { "POST", "/RefreshStaleLinks" },
        { "GET", "/api/nothing-here" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task No_credential_sent_anywhere_in_a_request_reaches_a_log_line(string method, string path)
    {
        var canary = $"{Prefix}{Math.Abs(path.GetHashCode(StringComparison.Ordinal)):x8}{method}z";
        foreach (var variant in Variants(canary))
        {
            using var request = variant(new HttpRequestMessage(new HttpMethod(method), new Uri(
                path.Replace("{link}", fixture.LinkId, StringComparison.Ordinal)
                    + $"?access_token={canary}1&client_secret={canary}2&code={canary}3&token={canary}4&x={canary}5&page=1&Signature={canary}6",
                UriKind.Relative)));
            using var response = await fixture.App.SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"{method} {path} → {(int)response.StatusCode}");
        }

        var hits = fixture.Logs.Entries.Where(l => l.Contains(canary, StringComparison.Ordinal)).ToList();
        Assert.True(hits.Count == 0, "logged:\n" + string.Join("\n", hits.Take(5)));
        Assert.Contains(fixture.Logs.Entries, l => l.Contains("Request starting", StringComparison.Ordinal) && l.Contains(LogRedactorMask, StringComparison.Ordinal));
    }

    private const string LogRedactorMask = MoneyKitBridge.Functions.Logging.LogRedactor.Mask;

    private IEnumerable<Func<HttpRequestMessage, HttpRequestMessage>> Variants(string canary)
    {
        yield return request =>
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {canary}a");
            request.Headers.TryAddWithoutValidation("Cookie", $"session={canary}b; other={canary}c");
            request.Headers.TryAddWithoutValidation("X-Api-Key", $"{canary}d");
            request.Headers.TryAddWithoutValidation("MoneyKit-Signature", $"eyJhbGciOiJFUzI1NiJ9.{canary}e.sig");
            request.Content = new StringContent(
                $$"""{"client_secret":"{{canary}}f","exchangeable_token":"{{canary}}g","grant_type":"client_credentials","client_id":"{{canary}}h","webhook_idempotency_key":"k"}""",
                Encoding.UTF8,
                "application/json");
            return request;
        };
        yield return request =>
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{canary}i:{canary}j")));
            request.Content = new StringContent($"grant_type=client_credentials&client_secret={canary}k&client_id={canary}l", Encoding.UTF8, "application/x-www-form-urlencoded");
            return request;
        };
        yield return request =>
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {fixture.AdminToken[..^4]}{canary}m");
            request.Content = new StringContent($"{{\"client_secret\":\"{canary}n\",\"client_secret\":\"\\ud800{canary}o\"}}", Encoding.UTF8, "application/json");
            return request;
        };
    }
}

using System.Net;
using System.Text.Json;
using MoneyKitBridge.Functions.Tests.Api;

namespace MoneyKitBridge.Functions.Tests.Users;

/// <summary>
/// <c>GET /api/users/{user_id}/accounts</c> against real Azurite and the sandbox, with MoneyKit's published filters
/// <c>account_ids</c> and <c>institution_ids</c>. Expected groups come from the sandbox's per-link account lists; the
/// sandbox's own <c>/users/{id}/accounts</c> must agree with the bridge.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class UserAccountEndpointsTests(ApiFixture fixture)
{
    private async Task<List<string>> UpstreamAccountIdsAsync(string linkId)
    {
        var (status, body) = await fixture.UpstreamAsync($"links/{linkId}/accounts");
        Assert.Equal(200, status);
        return [.. body.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("account_id").GetString()!)];
    }

    private static Dictionary<string, List<string>> Groups(JsonElement body) =>
        body.GetProperty("links").EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Value.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("account_id").GetString()!).ToList(),
            StringComparer.Ordinal);

    [Fact]
    public async Task User_accounts_filter_by_account_ids_and_institution_ids_as_MoneyKit_does()
    {
        const string user = "user-account-filters";
        var (first, _) = await fixture.ConnectAsync(user);
        var (second, _) = await fixture.ConnectAsync(user);
        var (stranger, _) = await fixture.ConnectAsync(user + "-other");
        var accounts = new Dictionary<string, List<string>>(StringComparer.Ordinal)
        {
            [first] = await UpstreamAccountIdsAsync(first),
            [second] = await UpstreamAccountIdsAsync(second),
        };
        var strangerAccount = (await UpstreamAccountIdsAsync(stranger))[0];
        var picked = new[] { accounts[first][0], accounts[second][2], strangerAccount };

        var cases = new (string Query, Func<string, string, bool> Keep)[]
        {
            (string.Empty, (_, _) => true),
            ($"account_ids={picked[0]}&account_ids={picked[1]}&account_ids={picked[2]}", (_, account) => picked.Contains(account)),
            ($"account_ids={picked[0]},{picked[1]}&institution_ids=instant_bank", (_, account) => account == picked[0] || account == picked[1]),
            ("institution_ids=instant_bank&institution_ids=oauth_bank", (_, _) => true),
            ("institution_ids=oauth_bank", (_, _) => false),
            ("account_ids=acc_no_such_account", (_, _) => false),
        };
        var reader = await fixture.ReaderTokenAsync();
        foreach (var (query, keep) in cases)
        {
            var expected = accounts
                .Select(link => (link.Key, Accounts: link.Value.Where(a => keep(link.Key, a)).ToList()))
                .Where(link => link.Accounts.Count > 0)
                .ToDictionary(link => link.Key, link => link.Accounts, StringComparer.Ordinal);
            var bridge = Groups(await fixture.GetJsonAsync($"/api/users/{user}/accounts?{query}", reader));
            var (status, upstream) = await fixture.UpstreamAsync($"users/{user}/accounts?{query}");
            Assert.Equal(200, status);
            foreach (var answer in new[] { bridge, Groups(upstream) })
            {
                Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), answer.Keys.Order(StringComparer.Ordinal));
                Assert.All(expected, e => Assert.Equal(e.Value.Order(StringComparer.Ordinal), answer[e.Key].Order(StringComparer.Ordinal))); // the bridge lists a link's accounts by id, MoneyKit in its own order
            }
        }
    }

    [Theory]
    [InlineData("account_ids")]
    [InlineData("institution_ids")]
    public async Task Overlong_filters_get_MoneyKits_validation_error(string name)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/users/user-account-filters/accounts?{name}={new string('x', 300)}", await fixture.ReaderTokenAsync());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("api_error.request.validation_failed", body.RootElement.GetProperty("error_code").GetString());
    }
}

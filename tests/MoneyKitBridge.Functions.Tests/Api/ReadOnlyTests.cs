using System.Net;
using System.Text.Json;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>Reads are served from the snapshot: MoneyKit is never called; and the OpenAPI document lists the routes.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class ReadOnlyTests(ApiFixture fixture)
{
    [Fact]
    public async Task Many_reads_of_every_kind_never_call_MoneyKit()
    {
        var link = await fixture.RichLinkAsync();
        var token = await fixture.ReaderTokenAsync();
        var before = await fixture.UpstreamCallsAsync();
        var paths = new List<string>
        {
            $"/api/links/{link.LinkId}",
            $"/api/links/{link.LinkId}/accounts",
            "/api/users/contract-user/links",
            "/api/users/contract-user/transactions?start_date=2000-01-01&size=100",
            $"/api/links/{link.LinkId}/transactions?account_ids={link.AccountIds[1]}&start_date=2025-01-01",
            "/api/links/mk_unknown/transactions",
        };
        for (var page = 1; page <= 30; page++)
        {
            paths.Add($"/api/links/{link.LinkId}/transactions?start_date=2000-01-01&size=10&page={page}");
        }

        var statuses = new List<HttpStatusCode>();
        foreach (var path in paths.Concat(paths))
        {
            using var response = await fixture.SendAsync(HttpMethod.Get, path, token);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(2 * (paths.Count - 1), statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(before, await fixture.UpstreamCallsAsync());
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_echoes_the_MoneyKit_version()
    {
        var link = await fixture.RichLinkAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/links/{link.LinkId}/transactions", UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await fixture.ReaderTokenAsync());
        request.Headers.Add("MoneyKit-Version", "2023-02-18");

        using var response = await fixture.App.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(Assert.Single(response.Headers.GetValues("X-Request-Id"))));
        Assert.Equal("2023-02-18", Assert.Single(response.Headers.GetValues("MoneyKit-Version")));
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_app_routes()
    {
        using var response = await fixture.App.GetAsync(new Uri("/api/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", doc.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = doc.RootElement.GetProperty("paths");
        var expected = new (string Path, string Method, string OperationId)[]
        {
            ("/api/auth/token", "post", "AuthToken"),
            ("/api/links/{link_id}", "get", "GetLink"),
            ("/api/links/{link_id}", "delete", "DeleteLink"),
            ("/api/links/{link_id}/accounts", "get", "GetLinkAccounts"),
            ("/api/links/{link_id}/transactions", "get", "GetLinkTransactions"),
            ("/api/links/{link_id}/products", "post", "RefreshLinkProducts"),
            ("/api/users/{user_id}/links", "get", "GetUserLinks"),
            ("/api/users/{user_id}/transactions", "get", "GetUserTransactions"),
            ("/api/link-session", "post", "CreateLinkSession"),
            ("/api/link-session/exchange-token", "post", "ExchangeLinkSessionToken"),
            ("/api/webhooks/moneykit", "post", "MoneyKitWebhook"),
        };
        foreach (var (path, method, operationId) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in the document");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is not in the document");
            Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        }
    }
}

using System.Net;
using System.Text.Json.Nodes;
using MoneyKitBridge.Functions.Tests.Auth;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Testing.Contract;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// The bridge's MoneyKit-compatible routes answer in MoneyKit's published 2023-02-18 models
/// (<see cref="MoneyKitModels"/>, the schemas the sandbox is held to), so an app built on a MoneyKit SDK reads them.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class BridgeContractTests(ApiFixture fixture)
{
    private const string Version = MoneyKitModels.V20230218;

    private static async Task<JsonNode> AssertShapeAsync(HttpResponseMessage response, HttpStatusCode status, ObjectShape shape)
    {
        var text = await response.Content.ReadAsStringAsync();
        var request = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}";
        Assert.True(response.StatusCode == status, $"{request}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(Version, Assert.Single(response.Headers.GetValues("MoneyKit-Version")));
        var node = JsonNode.Parse(text)!;
        var problems = shape.Check(node, "$").ToList();
        Assert.True(problems.Count == 0, $"{request} breaks {shape.Model}:\n{string.Join("\n", problems)}\n{text}");
        return node;
    }

    private async Task<JsonNode> GetAsync(string path, string token, ObjectShape shape)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, path, token);
        return await AssertShapeAsync(response, HttpStatusCode.OK, shape);
    }

    [Fact]
    public async Task Every_MoneyKit_route_of_the_bridge_answers_in_the_published_2023_02_18_model()
    {
        using (var token = await TokenClient.RequestFormAsync(fixture.App, BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret))
        {
            await AssertShapeAsync(token, HttpStatusCode.OK, MoneyKitModels.Token);
        }

        var admin = await fixture.AdminTokenAsync();
        using (var session = await fixture.PostJsonAsync("/api/link-session", admin, new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = "contract-shapes" },
            ["institution_id"] = "instant_bank",
        }))
        {
            await AssertShapeAsync(session, HttpStatusCode.OK, MoneyKitModels.LinkSession);
        }

        var (linkId, exchange) = await fixture.ConnectAsync("contract-shapes", beforeExchange: id => fixture.SeedAsync(id, 12, 30));
        Assert.Empty(MoneyKitModels.ExchangeToken.Check(JsonNode.Parse(exchange.GetRawText())!, "$"));

        var reader = await fixture.ReaderTokenAsync();
        await GetAsync($"/api/links/{linkId}", reader, MoneyKitModels.Link);
        var userLinks = await GetAsync("/api/users/contract-shapes/links", reader, MoneyKitModels.UserLinks);
        Assert.Equal(linkId, userLinks["links"]![linkId]!["link_id"]!.GetValue<string>()); // keyed by link id
        var accounts = await GetAsync($"/api/links/{linkId}/accounts", reader, MoneyKitModels.Accounts);
        Assert.Contains("credit_card", accounts["accounts"]!.AsArray().Select(a => a!["account_type"]!.GetValue<string>()));
        var page = await GetAsync($"/api/links/{linkId}/transactions?start_date=2000-01-01&size=5", reader, MoneyKitModels.TransactionsLegacy);
        Assert.Equal(5, page["transactions"]!.AsArray().Count);
        var sync = await GetAsync($"/api/links/{linkId}/transactions/sync?size=5", reader, MoneyKitModels.TransactionsSync);
        Assert.True(sync["has_more"]!.GetValue<bool>());
        await GetAsync($"/api/links/{linkId}/transactions/sync?size=500&cursor={Uri.EscapeDataString(sync["cursor"]!["next"]!.GetValue<string>())}", reader, MoneyKitModels.TransactionsSync);

        using (var unauthorized = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/accounts", token: null))
        {
            await AssertShapeAsync(unauthorized, HttpStatusCode.Unauthorized, MoneyKitModels.Error("api_error.auth.unauthorized"));
        }

        using (var missing = await fixture.SendAsync(HttpMethod.Get, "/api/links/mk_missing_link/accounts", reader))
        {
            await AssertShapeAsync(missing, HttpStatusCode.NotFound, MoneyKitModels.Error("link_error.not_found"));
        }

        using var badPage = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/transactions?page=0", reader);
        await AssertShapeAsync(badPage, HttpStatusCode.UnprocessableEntity, MoneyKitModels.Error("api_error.request.validation_failed"));
    }
}

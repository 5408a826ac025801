using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Tests.Api;
using MoneyKitBridge.Testing;
using MoneyKitBridge.Testing.Contract;

namespace MoneyKitBridge.Functions.Tests.LinkProducts;

/// <summary>
/// Account numbers and identity through the app: MoneyKit's own answer, from the snapshot (no MoneyKit call per read),
/// behind the <c>links:sensitive</c> scope, 403 <c>link_error.forbidden_action</c> exactly as MoneyKit when not
/// granted, and refreshed when MoneyKit reports a completed refresh.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class LinkProductEndpointsTests(ApiFixture fixture)
{
    private static readonly string[] Routes = ["accounts/numbers", "identity"];

    [Fact]
    public async Task Numbers_and_identity_are_MoneyKits_answers_served_from_the_snapshot()
    {
        var (linkId, _) = await fixture.ConnectAsync("products-granted");
        var sdk = await fixture.SdkTokenAsync();
        foreach (var (route, shape) in new[] { ("accounts/numbers", MoneyKitModels.AccountNumbersLegacy), ("identity", MoneyKitModels.Identity) })
        {
            var served = await GetNodeAsync($"/api/links/{linkId}/{route}", sdk);
            Assert.Empty(shape.Check(served, "$"));
            var (status, upstream) = await fixture.UpstreamAsync($"links/{linkId}/{route}");
            Assert.Equal(200, status);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(upstream.GetProperty("accounts").GetRawText()), served["accounts"]), $"{route}: the app's accounts differ from MoneyKit's:\n{served["accounts"]}\n{upstream.GetProperty("accounts")}");
        }

        var numbers = await GetNodeAsync($"/api/links/{linkId}/accounts/numbers", sdk);
        Assert.All(numbers["accounts"]!.AsArray(), a => Assert.NotEmpty(a!["numbers"]!["ach"]!.AsArray())); // Instant Bank prefetches
        var identity = await GetNodeAsync($"/api/links/{linkId}/identity", sdk);
        Assert.All(identity["accounts"]!.AsArray(), a => Assert.NotEmpty(a!["owners"]!.AsArray()));

        var before = (await fixture.UpstreamCallsAsync()).Count(c => c.Path.Contains(linkId, StringComparison.Ordinal));
        for (var i = 0; i < 5; i++)
        {
            foreach (var route in Routes)
            {
                await GetNodeAsync($"/api/links/{linkId}/{route}", sdk);
            }
        }

        Assert.Equal(before, (await fixture.UpstreamCallsAsync()).Count(c => c.Path.Contains(linkId, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task In_2023_12_14_numbers_and_identity_are_MoneyKits_2023_12_14_answers_before_and_after_the_fetch()
    {
        const string version = MoneyKitModels.V20231214;
        var prefetched = new JsonObject { ["required"] = true };
        var later = new JsonObject { ["required"] = true, ["prefetch"] = false };
        foreach (var (user, product) in new[] { ("products-v2023-12-14", prefetched), ("products-v2023-12-14-later", later) })
        {
            var (linkId, _) = await fixture.RunSessionAsync(new JsonObject
            {
                ["customer_user"] = new JsonObject { ["id"] = user },
                ["institution_id"] = "instant_bank",
                ["settings"] = new JsonObject { ["products"] = new JsonObject { ["transactions"] = new JsonObject { ["required"] = true }, ["account_numbers"] = product.DeepClone(), ["identity"] = product.DeepClone() } },
            });
            var sdk = await fixture.SdkTokenAsync();
            foreach (var (route, shape) in new[] { ("accounts/numbers", MoneyKitModels.AccountNumbers), ("identity", MoneyKitModels.Identity) })
            {
                var served = await GetNodeAsync($"/api/links/{linkId}/{route}", sdk, version);
                Assert.Empty(shape.Check(served, "$"));
                var (status, upstream) = await fixture.UpstreamAsync($"links/{linkId}/{route}", version);
                Assert.Equal(200, status);
                var expected = JsonNode.Parse(upstream.GetRawText())!.AsObject();
                expected.Remove("link");
                served.AsObject().Remove("link");
                Assert.True(JsonNode.DeepEquals(expected, served), $"{user} {route}: the app's answer differs from MoneyKit's:\n{served}\n{expected}");
            }

            var numbers = await GetNodeAsync($"/api/links/{linkId}/accounts/numbers", sdk, version);
            Assert.Equal(product == prefetched ? numbers["accounts"]!.AsArray().Count : 0, numbers["numbers"]!["ach"]!.AsArray().Count);
        }
    }

    [Fact]
    public async Task Numbers_and_identity_need_the_links_sensitive_scope()
    {
        var (linkId, _) = await fixture.ConnectAsync("products-scope");
        foreach (var token in new[] { await fixture.ReaderTokenAsync(), await fixture.AdminTokenAsync() })
        {
            foreach (var route in Routes)
            {
                using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/{route}", token);
                var body = await MoneyKitErrors.AssertAsync(response, HttpStatusCode.Forbidden, ApiErrorCodes.Forbidden);
                Assert.Contains("links:sensitive", body.GetProperty("error_message").GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_product_not_granted_is_403_forbidden_action_exactly_as_MoneyKit_answers()
    {
        var (linkId, _) = await fixture.ConnectAsync("products-not-granted", products: ["transactions"]);
        var sdk = await fixture.SdkTokenAsync();
        foreach (var route in Routes)
        {
            var (status, upstream) = await fixture.UpstreamAsync($"links/{linkId}/{route}");
            using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/{route}", sdk);
            var body = await MoneyKitErrors.AssertAsync(response, HttpStatusCode.Forbidden, "link_error.forbidden_action");
            Assert.Equal(403, status);
            Assert.Equal(upstream.GetProperty("error_code").GetString(), body.GetProperty("error_code").GetString());
            Assert.Equal(upstream.GetProperty("error_message").GetString(), body.GetProperty("error_message").GetString());
        }
    }

    [Fact]
    public async Task A_refresh_MoneyKit_reports_completed_replaces_the_stored_numbers_and_owners()
    {
        await using var relay = await WebhookRelay.StartAsync(fixture.App);
        var product = new JsonObject { ["required"] = true, ["prefetch"] = false };
        var (linkId, _) = await fixture.RunSessionAsync(new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = "products-refresh" },
            ["institution_id"] = "instant_bank",
            ["settings"] = new JsonObject { ["products"] = new JsonObject { ["transactions"] = new JsonObject { ["required"] = true }, ["account_numbers"] = product, ["identity"] = product.DeepClone() } },
        });
        var sdk = await fixture.SdkTokenAsync();

        // Not fetched at MoneyKit yet: every account, no numbers, no owners (as MoneyKit lists them).
        var numbers = await GetNodeAsync($"/api/links/{linkId}/accounts/numbers", sdk);
        Assert.NotEmpty(numbers["accounts"]!.AsArray());
        Assert.All(numbers["accounts"]!.AsArray(), a => Assert.Empty(a!["numbers"]!["ach"]!.AsArray()));
        Assert.Empty(MoneyKitModels.AccountNumbersLegacy.Check(numbers, "$"));
        var identity = await GetNodeAsync($"/api/links/{linkId}/identity", sdk);
        Assert.All(identity["accounts"]!.AsArray(), a => Assert.Empty(a!["owners"]!.AsArray()));

        await fixture.UpstreamSendAsync(HttpMethod.Patch, $"links/{linkId}", new JsonObject { ["webhook"] = relay.Url.ToString() });
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        using (var refresh = await fixture.PostJsonAsync($"/api/links/{linkId}/products", await fixture.AdminTokenAsync(), new JsonObject { ["products"] = new JsonArray("account_numbers", "identity") }))
        {
            Assert.Equal(HttpStatusCode.Accepted, refresh.StatusCode);
        }

        foreach (var route in Routes)
        {
            var (_, upstream) = await fixture.UpstreamAsync($"links/{linkId}/{route}");
            var expected = JsonNode.Parse(upstream.GetProperty("accounts").GetRawText());
            await Eventually.ValueAsync(
                () => GetNodeAsync($"/api/links/{linkId}/{route}", sdk),
                served => JsonNode.DeepEquals(expected, served["accounts"]),
                $"the app's {route} to become MoneyKit's refreshed answer",
                describe: served => served.ToJsonString() + "\nexpected: " + expected!.ToJsonString());
        }
    }

    private async Task<JsonNode> GetNodeAsync(string path, string token, string? version = null)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, path, token, version: version);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} → {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }
}

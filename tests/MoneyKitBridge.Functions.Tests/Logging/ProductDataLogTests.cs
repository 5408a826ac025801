using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MoneyKitBridge.Functions.Tests.Api;
using MoneyKitBridge.Functions.Tests.Auth;
using MoneyKitBridge.Functions.Tests.Hosting;

namespace MoneyKitBridge.Functions.Tests.Logging;

/// <summary>Account numbers and owners pass through the sync engine and the reads, and never reach a log line.</summary>
[Collection(HostileClientGroup.Name)]
public sealed class ProductDataLogTests(HostileClientFixture fixture)
{
    [Fact]
    public async Task No_account_number_routing_number_or_owner_detail_is_logged()
    {
        var token = await TokenClient.GetTokenAsync(fixture.App, BridgeAppFactory.SdkId, BridgeAppFactory.SdkSecret);
        var secrets = new List<string>();
        foreach (var route in new[] { "accounts/numbers", "identity" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/links/{fixture.LinkId}/{route}", UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await fixture.App.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            using var body = JsonDocument.Parse(text);
            foreach (var account in body.RootElement.GetProperty("accounts").EnumerateArray())
            {
                if (account.TryGetProperty("numbers", out var numbers))
                {
                    secrets.AddRange(numbers.GetProperty("ach").EnumerateArray().SelectMany(a => new[] { a.GetProperty("account_number").GetString()!, a.GetProperty("routing_number").GetString()! }));
                }

                if (account.TryGetProperty("owners", out var owners))
                {
                    secrets.AddRange(owners.EnumerateArray().SelectMany(o =>
                        o.GetProperty("emails").EnumerateArray().Select(e => e.GetProperty("address").GetString()!)
                            .Concat(o.GetProperty("phone_numbers").EnumerateArray().Select(p => p.GetProperty("number").GetString()!))
                            .Concat(o.GetProperty("addresses").EnumerateArray().Select(a => a.GetProperty("street").GetString()!))));
                }
            }
        }

        Assert.NotEmpty(secrets); // the link's products were fetched by its first sync and served
        var hits = fixture.Logs.Entries.Where(l => secrets.Any(s => l.Contains(s, StringComparison.Ordinal))).ToList();
        Assert.True(hits.Count == 0, "logged:\n" + string.Join("\n", hits.Take(5)));
        Assert.Contains(fixture.Logs.Entries, l => l.Contains("Stored account_numbers of link", StringComparison.Ordinal));
    }
}

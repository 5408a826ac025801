using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// Issue 11, "refresh policy no stricter than MoneyKit's": the same refresh requests at the same simulated times, once
/// through the app for one link and once straight at MoneyKit (the sandbox) for a twin link linked at the same moment,
/// get the same answers (status and <c>Retry-After</c>) — and every 429 the app gives is its own, without spending a
/// MoneyKit call. Own fixture: the clock moves by days.
/// </summary>
public sealed class RefreshLimitParityTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static readonly string[] Products = ["transactions", "accounts", "identity", "account_numbers", "investments"];

    /// <summary>Times (from the link's creation) of the refresh requests: both sides of each hourly and daily limit.</summary>
    private static readonly TimeSpan[] Schedule =
    [
        TimeSpan.Zero, TimeSpan.FromMinutes(1), new(0, 59, 59), TimeSpan.FromHours(1), new(1, 1, 0),
        new(23, 59, 59), TimeSpan.FromHours(24), new(24, 0, 1), new(24, 30, 0), TimeSpan.FromHours(48),
    ];

    private string? sandboxToken;

    [Fact]
    public async Task Each_product_is_accepted_and_refused_by_the_app_exactly_when_MoneyKit_accepts_and_refuses_it()
    {
        var pairs = new Dictionary<string, (string ThroughApp, string Direct)>(StringComparer.Ordinal);
        foreach (var product in Products)
        {
            pairs[product] = (await LinkAsync("parity-app-" + product), await LinkAsync("parity-direct-" + product));
        }

        var answers = new List<(string Product, TimeSpan At, Answer App, Answer MoneyKit)>();
        var elapsed = TimeSpan.Zero;
        foreach (var at in Schedule)
        {
            fixture.Clock.Advance(at - elapsed);
            elapsed = at;
            foreach (var product in Products)
            {
                var (throughApp, direct) = pairs[product];
                answers.Add((product, at, await ThroughAppAsync(throughApp, [product]), await DirectAsync(direct, [product])));
            }
        }

        Assert.All(answers, a => Assert.True(a.App == a.MoneyKit, $"{a.Product} at +{a.At}: MoneyKit {a.MoneyKit}, app {a.App}"));
        Assert.Contains(answers, a => a.Product == "transactions" && a.At == TimeSpan.Zero && a.App.Status == 202); // a fresh link's first refresh
        Assert.Contains(answers, a => a.Product == "identity" && a.App.Status == 429);
        foreach (var product in Products)
        {
            // The app never asked MoneyKit for what MoneyKit refused on limits: its 429s were its own.
            var forwarded = answers.Count(a => a.Product == product && a.MoneyKit.Status != 429);
            Assert.Equal(forwarded, await RefreshCallsAsync(pairs[product].ThroughApp));
        }
    }

    [Fact]
    public async Task Mixed_product_lists_get_the_answers_MoneyKit_gives()
    {
        var throughApp = await LinkAsync("parity-mixed-app");
        var direct = await LinkAsync("parity-mixed-direct");
        (TimeSpan Wait, string[] Products)[] steps =
        [
            (TimeSpan.Zero, ["accounts"]),
            (TimeSpan.FromMinutes(5), ["accounts", "transactions"]),
            (TimeSpan.Zero, ["transactions", "transactions"]),
            (TimeSpan.Zero, ["identity", "account_numbers"]),
            (TimeSpan.FromMinutes(55), ["transactions", "accounts"]),
            (TimeSpan.FromMinutes(5), ["transactions", "accounts"]),
            (TimeSpan.Zero, ["account_numbers"]),
            (TimeSpan.FromHours(23), ["account_numbers", "transactions"]),
            (TimeSpan.FromMinutes(10), ["identity", "account_numbers", "accounts"]),
            (TimeSpan.Zero, ["investments"]),
            (TimeSpan.Zero, []),
        ];

        foreach (var (wait, products) in steps)
        {
            fixture.Clock.Advance(wait);
            var app = await ThroughAppAsync(throughApp, products);
            var moneyKit = await DirectAsync(direct, products);
            Assert.True(app == moneyKit, $"[{string.Join(',', products)}] after +{wait}: MoneyKit {moneyKit}, app {app}");
        }
    }

    /// <summary>A link connected through the app, without a webhook URL (its refreshes' webhooks would go nowhere).</summary>
    private async Task<string> LinkAsync(string user)
    {
        var (linkId, _) = await fixture.ConnectAsync(user);
        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri($"links/{linkId}", UriKind.Relative)) { Content = JsonContent.Create(new JsonObject { ["webhook"] = null }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await SandboxTokenAsync());
        using var response = await fixture.Sandbox.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return linkId;
    }

    /// <summary>Status and (for a 429) <c>Retry-After</c> seconds.</summary>
    private sealed record Answer(int Status, string? RetryAfter);

    private async Task<Answer> ThroughAppAsync(string linkId, string[] products)
    {
        using var response = await fixture.PostJsonAsync($"/api/links/{linkId}/products", await fixture.AdminTokenAsync(), Body(products));
        return AnswerOf(response);
    }

    private async Task<Answer> DirectAsync(string linkId, string[] products)
    {
        sandboxToken = await SandboxTokenAsync(); // the clock moves by hours between calls
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"links/{linkId}/products", UriKind.Relative)) { Content = JsonContent.Create(Body(products)) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sandboxToken);
        using var response = await fixture.Sandbox.SendAsync(request);
        return AnswerOf(response);
    }

    private static JsonObject Body(string[] products) =>
        new() { ["products"] = new JsonArray(products.Select(p => (JsonNode)JsonValue.Create(p)).ToArray()) };

    private static Answer AnswerOf(HttpResponseMessage response) =>
        new((int)response.StatusCode, (int)response.StatusCode == 429 ? response.Headers.RetryAfter?.ToString() : null);

    private async Task<int> RefreshCallsAsync(string linkId) =>
        (await fixture.UpstreamCallsAsync()).Count(c => c.Method == "POST" && c.Path == $"/links/{linkId}/products");

    private async Task<string> SandboxTokenAsync()
    {
        using var response = await fixture.Sandbox.PostAsync(new Uri("auth/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "sandbox_client_id",
            ["client_secret"] = "sandbox_client_secret",
        }));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }
}

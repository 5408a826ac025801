using System.Text.RegularExpressions;

namespace MoneyKitBridge.Functions.Tests.Hosting;

public sealed partial class ResponseHeadersTests : IDisposable
{
    private readonly BridgeAppFactory factory = new();
    private readonly HttpClient client;

    public ResponseHeadersTests() => client = factory.CreateClient();

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/api/openapi/v1.json" },
        { "GET", "/api/test/read" },
        { "GET", "/api/test/throw" },
        { "GET", "/api/missing" },
        { "POST", "/api/auth/token" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_response_gets_a_fresh_request_id_and_the_default_version(string method, string path)
    {
        using var first = await SendAsync(method, path);
        using var second = await SendAsync(method, path);

        var id = Assert.Single(first.Headers.GetValues("X-Request-Id"));
        Assert.Matches(HexId(), id);
        Assert.NotEqual(id, Assert.Single(second.Headers.GetValues("X-Request-Id")));
        Assert.Equal("2023-02-18", Assert.Single(first.Headers.GetValues("MoneyKit-Version")));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_sane_incoming_request_id_and_the_served_version_are_echoed(string method, string path)
    {
        using var response = await SendAsync(method, path, ("X-Request-Id", "app-req:42.a_b"), ("MoneyKit-Version", "2023-02-18"));

        Assert.DoesNotContain("moneykit-version", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("app-req:42.a_b", Assert.Single(response.Headers.GetValues("X-Request-Id")));
        Assert.Equal("2023-02-18", Assert.Single(response.Headers.GetValues("MoneyKit-Version")));
    }

    [Theory]
    [InlineData("GET", "/api/test/read", "2024-01-01")]
    [InlineData("GET", "/api/test/read", "2099-01-01")]
    [InlineData("GET", "/api/test/read", "2023-12-15")]
    [InlineData("GET", "/api/test/read", "2023-12-14x")]
    [InlineData("POST", "/api/auth/token", "2099-01-01")]
    [InlineData("GET", "/", "latest")]
    public async Task A_version_the_bridge_does_not_answer_in_is_refused_not_echoed(string method, string path, string version)
    {
        using var response = await SendAsync(method, path, ("MoneyKit-Version", version));

        var error = await Api.MoneyKitErrors.AssertAsync(response, System.Net.HttpStatusCode.UnprocessableEntity, "api_error.request.validation_failed");
        Assert.Equal("2023-02-18", Assert.Single(response.Headers.GetValues("MoneyKit-Version")));
        Assert.Contains("2023-02-18", error.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["header", "moneykit-version"], error.GetProperty("validation_errors")[0].GetProperty("loc").EnumerateArray().Select(l => l.GetString()));
    }

    [Theory]
    [InlineData("2023-02-18", "2023-02-18")]
    [InlineData("2023-12-14", "2023-12-14")]
    [InlineData(" 2023-12-14 ", "2023-12-14")]
    [InlineData("", "2023-02-18")]
    public async Task Every_version_MoneyKits_clients_know_is_served_and_echoed(string asked, string served)
    {
        foreach (var (method, path) in new[] { ("GET", "/api/test/read"), ("GET", "/api/missing"), ("POST", "/api/auth/token") })
        {
            using var response = await SendAsync(method, path, ("MoneyKit-Version", asked));

            Assert.DoesNotContain("moneykit-version", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(served, Assert.Single(response.Headers.GetValues("MoneyKit-Version")));
        }
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("<script>")]
    public async Task An_unsafe_request_id_is_replaced(string incoming)
    {
        using var response = await SendAsync("GET", "/api/missing", ("X-Request-Id", incoming));

        Assert.Matches(HexId(), Assert.Single(response.Headers.GetValues("X-Request-Id")));
    }

    [Fact]
    public async Task An_overlong_request_id_is_replaced()
    {
        using var response = await SendAsync("GET", "/api/missing", ("X-Request-Id", new string('a', 129)));

        Assert.Matches(HexId(), Assert.Single(response.Headers.GetValues("X-Request-Id")));
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await client.SendAsync(request);
        return response;
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex HexId();
}

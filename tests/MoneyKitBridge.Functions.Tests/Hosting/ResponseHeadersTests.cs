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
    public async Task A_sane_incoming_request_id_and_version_are_echoed(string method, string path)
    {
        using var response = await SendAsync(method, path, ("X-Request-Id", "app-req:42.a_b"), ("MoneyKit-Version", "2024-01-01"));

        Assert.Equal("app-req:42.a_b", Assert.Single(response.Headers.GetValues("X-Request-Id")));
        Assert.Equal("2024-01-01", Assert.Single(response.Headers.GetValues("MoneyKit-Version")));
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

    [Fact]
    public async Task A_version_that_is_not_a_date_falls_back_to_the_default()
    {
        using var response = await SendAsync("GET", "/api/missing", ("MoneyKit-Version", "latest"));

        Assert.Equal("2023-02-18", Assert.Single(response.Headers.GetValues("MoneyKit-Version")));
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

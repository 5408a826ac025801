using System.Net;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.Tests.Api;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// Oversized request targets and headers get MoneyKit bodies and an <c>X-Request-Id</c>: the app enforces the limits
/// below Kestrel's (raised) ones, on a real Kestrel server as in production.
/// </summary>
public sealed class RequestLimitsTests : IDisposable
{
    private readonly BridgeAppFactory factory = new();
    private readonly HttpClient client;

    public RequestLimitsTests()
    {
        factory.UseKestrel(0);
        factory.StartServer();
        client = factory.CreateClient();
    }

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    [Theory]
    [InlineData("/api/links/mk_1/transactions?page=1&x=")]
    [InlineData("/api/links/")]
    public async Task A_target_longer_than_the_limit_is_a_MoneyKit_shaped_414(string prefix)
    {
        using var response = await client.GetAsync(new Uri(prefix + new string('a', RequestLimitsMiddleware.MaxTargetLength + 100), UriKind.Relative));

        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.RequestUriTooLong, ApiErrorCodes.UriTooLong);
    }

    [Fact]
    public async Task Headers_larger_than_the_limit_are_a_MoneyKit_shaped_431()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/links/mk_1", UriKind.Relative));
        for (var i = 0; i < 5; i++)
        {
            request.Headers.TryAddWithoutValidation($"X-Pad-{i}", new string('p', 8000));
        }

        using var response = await client.SendAsync(request);

        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.RequestHeaderFieldsTooLarge, ApiErrorCodes.HeadersTooLarge);
    }

    [Fact]
    public async Task Requests_within_the_limits_are_served_as_before()
    {
        using var response = await client.GetAsync(new Uri("/api/links/mk_1?x=" + new string('a', 4000), UriKind.Relative));

        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
    }
}

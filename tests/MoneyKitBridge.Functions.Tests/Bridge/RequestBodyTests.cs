using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Tests.Api;
using Xunit.Abstractions;

namespace MoneyKitBridge.Functions.Tests.Bridge;

/// <summary>
/// Every route that reads a body (token, link session, exchange, products, timer path, webhook) goes through the shared
/// readers: whatever the bytes, encoding or content type, the answer is never a 5xx, a refusal is MoneyKit-shaped,
/// and nothing is stored.
/// </summary>
[Collection(HostileClientGroup.Name)]
public sealed class RequestBodyTests(HostileClientFixture fixture, ITestOutputHelper output)
{
    private const string UnknownLink = "mk_no_such_link_for_body_tests";

    private static readonly string[] Routes =
    [
        "/api/auth/token", "/api/link-session", "/api/link-session/exchange-token", $"/api/links/{UnknownLink}/products", "/api/webhooks/moneykit",
    ];

    private static readonly string[] Keys =
    [
        "customer_user", "id", "exchangeable_token", "products", "grant_type", "client_id", "client_secret", "scope", "existing_link_id", "link_tags",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "application/json; charset=bogus",
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin1", "multipart/form-data",
        "multipart/form-data; boundary=b", "text/plain", "application/xml", "x", "", "application/json;;", "*/*",
    ];

    private static readonly Encoding[] Encodings =
    [
        new UTF8Encoding(false), new UTF8Encoding(true), Encoding.Unicode, Encoding.BigEndianUnicode, Encoding.UTF32, Encoding.Latin1, Encoding.ASCII,
    ];

    public static TheoryData<string, string> MalformedJson => new()
    {
        { "/api/link-session", "{\"customer_user\":{\"id\":\"a\"},\"customer_user\":{\"id\":\"b\"}}" },
        { "/api/link-session", "{\"customer_user\":{\"id\":\"\\ud800\"}}" },
        { "/api/link-session", "{\"customer_user\":{\"id\":\"a\",\"id\":\"b\"}}" },
        { "/api/link-session", "{\"customer_user\":{\"id\":\"a\\u0000\"}}" },
        { "/api/link-session", "{\"\\udc00\":1,\"customer_user\":{\"id\":\"a\"}}" },
        { "/api/link-session/exchange-token", "{\"exchangeable_token\":\"a\",\"exchangeable_token\":\"b\"}" },
        { "/api/link-session/exchange-token", "{\"exchangeable_token\":\"\\udfff\\ud800\"}" },
        { $"/api/links/{UnknownLink}/products", "{\"products\":[\"transactions\"],\"products\":[\"accounts\"]}" },
        { $"/api/links/{UnknownLink}/products", "{\"products\":[\"\\ud800\"]}" },
    };

    [Theory]
    [MemberData(nameof(MalformedJson))]
    public async Task Duplicate_keys_unpaired_surrogates_and_NULs_are_422(string path, string json)
    {
        using var response = await SendAsync(path, Encoding.UTF8.GetBytes(json), "application/json");

        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.UnprocessableEntity, ApiErrorCodes.ValidationFailed);
    }

    [Theory]
    [InlineData("/api/link-session")]
    [InlineData("/api/link-session/exchange-token")]
    public async Task Invalid_utf8_inside_a_string_is_422(string path)
    {
        using var response = await SendAsync(path, [.. "{\"customer_user\":{\"id\":\""u8, 0xc3, 0x28, .. "\"},\"exchangeable_token\":\"x\"}"u8], "application/json");

        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.UnprocessableEntity, ApiErrorCodes.ValidationFailed);
    }

    [Fact]
    public async Task Property_any_body_any_encoding_any_content_type_is_never_5xx_always_shaped_and_stores_nothing()
    {
        var gen = Gen.Elements(Routes).SelectMany(route => BodyGen().SelectMany(body => Gen.Elements(ContentTypes).Select(type => (route, body, type))));
        var samples = gen.Sample(40, new Rnd(20261204UL), 400);
        var before = await StorageSnapshot.TakeAsync(fixture.TablePrefix);

        var failures = new List<string>();
        foreach (var (route, body, type) in samples)
        {
            using var response = await SendAsync(route, body, type);
            if (await HostileRequestCheck(response) is { } problem)
            {
                failures.Add($"{problem}\n    for POST {route} ({type}) {Convert.ToBase64String(body.AsSpan(0, Math.Min(body.Length, 90)))}");
            }
        }

        var changes = StorageSnapshot.Differences(before, await StorageSnapshot.TakeAsync(fixture.TablePrefix));
        output.WriteLine($"property: {samples.Length} bodies, {failures.Count} bad answers, {changes.Count} stored changes");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.True(changes.Count == 0, string.Join("\n", changes.Take(10)));
    }

    /// <summary>Random bytes, or JSON objects of the routes' keys (often repeated, with odd strings) in a random encoding.</summary>
    private static Gen<byte[]> BodyGen()
    {
        var text = Gen.Elements("", "a", "\\ud800", "\\udc00\\ud800", "\\u0000", "€", "\\\"", "client_credentials", "transactions", "x\\ny", "%00");
        Gen<string> value = Gen.OneOf(
            text.Select(t => $"\"{t}\""),
            Gen.Choose(-5, 5).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Elements("null", "true", "[]", "{}", "[\"transactions\"]", "{\"id\":\"u\"}", "{\"id\":\"u\",\"id\":\"v\"}"));
        var member = Gen.Elements(Keys).SelectMany(key => value.Select(v => $"\"{key}\":{v}"));
        var json = Gen.ListOf(member).SelectMany(members => Gen.Elements(0, 1).Select(repeat => "{" + string.Join(',', members.Concat(members.Take(repeat))) + "}"));
        var encoded = json.SelectMany(j => Gen.Elements(Encodings).Select(e => e.GetPreamble().Concat(e.GetBytes(j)).ToArray()));
        var bytes = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b));
        return Gen.Frequency((3, encoded), (1, bytes));
    }

    private async Task<HttpResponseMessage> SendAsync(string path, byte[] body, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new ByteArrayContent(body) };
        if (contentType.Length > 0)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (!path.StartsWith("/api/auth/", StringComparison.Ordinal))
        {
            request.Headers.Authorization = new("Bearer", fixture.AdminToken);
        }

        return await fixture.App.SendAsync(request);
    }

    private static Task<string?> HostileRequestCheck(HttpResponseMessage response) => HostileRequest.CheckAnswerAsync(response, "POST");
}

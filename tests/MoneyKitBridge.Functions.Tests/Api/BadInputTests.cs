using System.Net;
using System.Text;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// Bad input on every app route: a 4xx with MoneyKit's error body and an <c>X-Request-Id</c>, never a 5xx, and
/// nothing changes — neither the stored link nor anything at MoneyKit (no call is made).
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class BadInputTests(ApiFixture fixture)
{
    private const string Transactions = "/api/links/{link}/transactions";
    private const string UserTransactions = "/api/users/bad-input-user/transactions";
    private const string Products = "/api/links/{link}/products";
    private const string Session = "/api/link-session";
    private const string Exchange = "/api/link-session/exchange-token";
    private const string Webhook = "/api/webhooks/moneykit";

    private static readonly string Long = new('a', 300);
    private static readonly string HugeJson = "{\"products\":[\"transactions\"],\"pad\":\"" + new string('x', 100_000) + "\"}";

    private static readonly Dictionary<string, BadInput> Cases = new List<BadInput>
    {
        Query("start date not a date", "start_date=2025-13-01", "query.start_date"),
        Query("start date without zero padding", "start_date=2025-1-5", "query.start_date"),
        Query("end date a word", "end_date=yesterday", "query.end_date"),
        Query("end date with a time", "end_date=2025-01-05T00:00:00", "query.end_date"),
        Query("start after end", "start_date=2025-06-02&end_date=2025-06-01", "query.start_date"),
        Query("page 0", "page=0", "query.page"),
        Query("page negative", "page=-1", "query.page"),
        Query("page not a number", "page=abc", "query.page"),
        Query("page a fraction", "page=1.5", "query.page"),
        Query("page beyond int", "page=99999999999999999999", "query.page"),
        Query("size 0", "size=0", "query.size"),
        Query("size 100000", "size=100000", "query.size"),
        Query("size empty", "size=", "query.size"),
        Query("start date empty", "start_date=", "query.start_date"),
        Query("page beyond the bridge's bound", "page=1000001", "query.page"),
        Query("page duplicated", "page=1&page=2", "query.page"),
        Query("size duplicated", "size=10&size=10", "query.size"),
        Query("start date duplicated", "start_date=2025-01-01&start_date=2025-02-01", "query.start_date"),
        Query("overlong account id", $"account_ids={Long}", "query.account_ids"),
        Query("overlong start date", $"start_date=2025-01-01{Long}", "query.start_date"),
        Query("overlong unknown parameter is ignored", $"page=0&other={Long}", "query.page"),
        Query("too many account ids", string.Join('&', Enumerable.Range(0, 101).Select(i => $"account_ids=acc_{i}")), "query.account_ids"),
        Query("several bad fields at once", "page=0&size=0&end_date=x", "query.page", "query.size", "query.end_date"),
        new("user transactions page 0", "GET", UserTransactions + "?page=0", null, 422, ApiErrorCodes.ValidationFailed, ["query.page"]),
        new("user transactions size 100000", "GET", UserTransactions + "?size=100000", null, 422, ApiErrorCodes.ValidationFailed, ["query.size"]),
        new("user transactions bad date", "GET", UserTransactions + "?start_date=01/01/2025", null, 422, ApiErrorCodes.ValidationFailed, ["query.start_date"]),
        new("user transactions size 501", "GET", UserTransactions + "?size=501", null, 422, ApiErrorCodes.ValidationFailed, ["query.size"]),
        new("user transactions unknown type", "GET", UserTransactions + "?transaction_type=refund", null, 422, ApiErrorCodes.ValidationFailed, ["query.transaction_type"]),
        new("user transactions type in capitals", "GET", UserTransactions + "?transaction_type=credit&transaction_type=DEBIT", null, 422, ApiErrorCodes.ValidationFailed, ["query.transaction_type"]),
        new("user transactions overlong category", "GET", UserTransactions + $"?category={Long}", null, 422, ApiErrorCodes.ValidationFailed, ["query.category"]),
        new("user transactions too many institutions", "GET", UserTransactions + "?" + string.Join('&', Enumerable.Range(0, 101).Select(i => $"institution_id=bank_{i}")), null, 422, ApiErrorCodes.ValidationFailed, ["query.institution_id"]),
        new("user transactions several bad fields", "GET", UserTransactions + "?size=0&transaction_type=x&end_date=x", null, 422, ApiErrorCodes.ValidationFailed, ["query.size", "query.transaction_type", "query.end_date"]),
        Json("products malformed JSON", Products, "{\"products\":", 400, ApiErrorCodes.BadRequest),
        Json("products wrong JSON type", Products, "{\"products\":\"transactions\"}", 400, ApiErrorCodes.BadRequest),
        Json("products JSON array body", Products, "[\"transactions\"]", 400, ApiErrorCodes.BadRequest),
        Json("products empty list", Products, "{\"products\":[]}", 422, ApiErrorCodes.ValidationFailed),
        Json("products unknown product", Products, "{\"products\":[\"bogus\"]}", 422, ApiErrorCodes.ValidationFailed),
        Json("products huge body", Products, HugeJson, 413, ApiErrorCodes.PayloadTooLarge),
        new("products huge chunked body", "POST", Products, () => Chunked(HugeJson), 413, ApiErrorCodes.PayloadTooLarge),
        new("products text/plain", "POST", Products, () => new StringContent("{\"products\":[\"transactions\"]}", Encoding.UTF8, "text/plain"), 415, ApiErrorCodes.UnsupportedMediaType),
        new("products form post", "POST", Products, () => new FormUrlEncodedContent([new("products", "transactions")]), 415, ApiErrorCodes.UnsupportedMediaType),
        Json("session malformed JSON", Session, "{\"customer_user\":{", 400, ApiErrorCodes.BadRequest),
        Json("session JSON array", Session, "[]", 400, ApiErrorCodes.BadRequest),
        Json("session JSON string", Session, "\"hello\"", 400, ApiErrorCodes.BadRequest),
        Json("session without customer user", Session, "{\"institution_id\":\"instant_bank\"}", 422, ApiErrorCodes.ValidationFailed),
        Json("session customer user id not a string", Session, "{\"customer_user\":{\"id\":42}}", 422, ApiErrorCodes.ValidationFailed),
        Json("session overlong customer user id", Session, "{\"customer_user\":{\"id\":\"" + Long + "\"}}", 422, ApiErrorCodes.ValidationFailed),
        Json("session huge body", Session, "{\"customer_user\":{\"id\":\"u\"},\"pad\":\"" + new string('x', 100_000) + "\"}", 413, ApiErrorCodes.PayloadTooLarge),
        new("session text/plain", "POST", Session, () => new StringContent("{\"customer_user\":{\"id\":\"u\"}}", Encoding.UTF8, "text/plain"), 415, ApiErrorCodes.UnsupportedMediaType),
        new("session empty body", "POST", Session, () => new StringContent(string.Empty, Encoding.UTF8, "application/json"), 400, ApiErrorCodes.BadRequest),
        Json("exchange empty object", Exchange, "{}", 422, ApiErrorCodes.ValidationFailed),
        Json("exchange blank token", Exchange, "{\"exchangeable_token\":\"  \"}", 422, ApiErrorCodes.ValidationFailed),
        Json("exchange overlong token", Exchange, "{\"exchangeable_token\":\"" + new string('t', 2000) + "\"}", 422, ApiErrorCodes.ValidationFailed),
        Json("exchange token a number", Exchange, "{\"exchangeable_token\":12}", 400, ApiErrorCodes.BadRequest),
        Json("exchange malformed JSON", Exchange, "{\"exchangeable_token\":\"ext_", 400, ApiErrorCodes.BadRequest),
        new("exchange text/plain", "POST", Exchange, () => new StringContent("ext_abc", Encoding.UTF8, "text/plain"), 415, ApiErrorCodes.UnsupportedMediaType),
        new("exchange no body", "POST", Exchange, null, 422, ApiErrorCodes.ValidationFailed),
        new("PUT a link", "PUT", "/api/links/{link}", () => Body("{}"), 405, ApiErrorCodes.MethodNotAllowed),
        new("PATCH a link", "PATCH", "/api/links/{link}", () => Body("{}"), 405, ApiErrorCodes.MethodNotAllowed),
        new("POST transactions", "POST", Transactions, () => Body("{}"), 405, ApiErrorCodes.MethodNotAllowed),
        new("DELETE transactions", "DELETE", Transactions, null, 405, ApiErrorCodes.MethodNotAllowed),
        new("GET products", "GET", Products, null, 405, ApiErrorCodes.MethodNotAllowed),
        new("GET link session", "GET", Session, null, 405, ApiErrorCodes.MethodNotAllowed),
        new("DELETE user links", "DELETE", "/api/users/bad-input-user/links", null, 405, ApiErrorCodes.MethodNotAllowed),
        new("unknown route", "GET", "/api/links/{link}/nothing-here", null, 404, ApiErrorCodes.NotFound),
        new("webhook without signature", "POST", Webhook, () => Body("{\"event\":\"link.state_changed\"}"), 401, "webhook_error.missing_signature"),
        new("webhook with a garbage signature", "POST", Webhook, () => Signed("{\"event\":\"link.state_changed\"}", "not-a-jwt"), 401, "webhook_error.malformed_signature"),
        new("webhook malformed JSON", "POST", Webhook, () => Signed("{\"event\":", "not-a-jwt"), 401, "webhook_error.malformed_signature"),
        new("webhook huge body", "POST", Webhook, () => Signed(HugeJson, "not-a-jwt"), 413, "webhook_error.body_too_large"),
        new("GET webhook", "GET", Webhook, null, 405, ApiErrorCodes.MethodNotAllowed),
        new("overlong link id", "GET", $"/api/links/{new string('k', 1500)}/transactions", null, 404, "link_error.not_found"),
        new("link id with key-breaking characters", "GET", "/api/links/mk_%23%3F%5C%09x/accounts", null, 404, "link_error.not_found"),
        new("delete an overlong link id", "DELETE", $"/api/links/{new string('k', 1500)}", null, 404, "link_error.not_found"),
        new("refresh an overlong link id", "POST", $"/api/links/{new string('k', 1500)}/products", null, 404, "link_error.not_found"),
        new("session for an unknown existing link", "POST", Session, () => Body("{\"customer_user\":{\"id\":\"u\"},\"existing_link_id\":\"" + new string('k', 1500) + "\"}"), 404, "link_error.not_found"),
    }.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static TheoryData<string> Names() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Bad_input_is_a_MoneyKit_shaped_4xx_and_changes_nothing(string name)
    {
        var input = Cases[name];
        var link = await fixture.RichLinkAsync();
        var before = await ObserveAsync(link);

        using var response = await fixture.SendAsync(
            new HttpMethod(input.Method), input.Path.Replace("{link}", link.LinkId, StringComparison.Ordinal), await fixture.AdminTokenAsync(), input.Content?.Invoke());

        var body = await MoneyKitErrors.AssertAsync(response, (HttpStatusCode)input.Status, input.ErrorCode);
        if (input.Locations is { Length: > 0 } expected)
        {
            Assert.Equal(expected.Order(StringComparer.Ordinal), MoneyKitErrors.Locations(body).Order(StringComparer.Ordinal));
        }

        Assert.Equal(before, await ObserveAsync(link));
    }

    private static BadInput Query(string name, string query, params string[] locations) =>
        new(name, "GET", $"{Transactions}?{query}", null, 422, ApiErrorCodes.ValidationFailed, locations);

    private static BadInput Json(string name, string path, string json, int status, string errorCode) =>
        new(name, "POST", path, () => Body(json), status, errorCode);

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static StringContent Signed(string json, string signature)
    {
        var content = Body(json);
        content.Headers.Add("moneykit-signature", signature);
        return content;
    }

    private static StreamContent Chunked(string json)
    {
        var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>What must not change: the stored link and its data as the app serves them, and MoneyKit's call log.</summary>
    private async Task<(string Link, string Transactions, int UpstreamCalls)> ObserveAsync(RichLink link)
    {
        var token = await fixture.ReaderTokenAsync();
        var linkBody = (await fixture.GetJsonAsync($"/api/links/{link.LinkId}", token)).GetRawText();
        var transactions = (await fixture.GetJsonAsync($"/api/links/{link.LinkId}/transactions?start_date=2000-01-01&size=100", token)).GetRawText();
        return (linkBody, transactions, (await fixture.UpstreamCallsAsync()).Count);
    }

    private sealed record BadInput(string Name, string Method, string Path, Func<HttpContent>? Content, int Status, string ErrorCode, string[]? Locations = null);

    /// <summary>A body of unknown length, sent chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

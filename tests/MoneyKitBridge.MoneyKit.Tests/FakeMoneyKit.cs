using System.Net;
using System.Text;
using System.Web;
using Microsoft.Extensions.Logging.Abstractions;
using MoneyKitBridge.MoneyKit;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.MoneyKit.Tests;

/// <summary>One request as the fake MoneyKit received it.</summary>
internal sealed record RecordedRequest(HttpMethod Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// The HTTP transport edge: answers like MoneyKit. <c>POST /auth/token</c> issues tok-1, tok-2, ... unless
/// <see cref="Token"/> is replaced; every other request goes to <see cref="Api"/>.
/// </summary>
internal sealed class FakeMoneyKit : HttpMessageHandler
{
    public const string BaseUrl = "http://127.0.0.1:5999/";

    private readonly Lock gate = new();
    private readonly List<RecordedRequest> requests = [];
    private int tokensIssued;

    public FakeMoneyKit()
    {
        Token = (_, _) => Task.FromResult(IssueToken());
        Api = (_, _) => Task.FromResult(Json(200, "{}"));
    }

    public Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> Token { get; set; }

    public Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> Api { get; set; }

    public int TokenLifetimeSeconds { get; set; } = 3600;

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return [.. requests];
            }
        }
    }

    public static IReadOnlyDictionary<string, string> ParseForm(string body)
    {
        var parsed = HttpUtility.ParseQueryString(body);
        return parsed.AllKeys.ToDictionary(k => k!, k => parsed[k]!);
    }

    public IReadOnlyList<RecordedRequest> TokenRequests => [.. Requests.Where(r => r.Path == "/auth/token")];

    public IReadOnlyList<RecordedRequest> ApiRequests => [.. Requests.Where(r => r.Path != "/auth/token")];

    public HttpResponseMessage IssueToken()
    {
        var n = Interlocked.Increment(ref tokensIssued);
        return Json(200, $$"""{"access_token":"tok-{{n}}","token_type":"bearer","expires_in":{{TokenLifetimeSeconds}}}""");
    }

    public static HttpResponseMessage Json(int status, string json, string? requestId = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (requestId is not null)
        {
            response.Headers.Add("X-Request-Id", requestId);
        }

        return response;
    }

    public static HttpResponseMessage Error(int status, string errorCode, string? requestId = null, string? linkErrorCode = null)
    {
        var linkError = linkErrorCode is null ? "" : $$""","link_error_code":"{{linkErrorCode}}" """;
        return Json(status, $$"""{"error_code":"{{errorCode}}","error_message":"{{errorCode}} happened","documentation_url":null{{linkError}}}""", requestId);
    }

    public MoneyKitClient CreateClient(TimeProvider clock, MoneyKitOptions? options = null, MoneyKitCredentialResolver? credentials = null)
    {
        options ??= new MoneyKitOptions();
        options.BaseUrl ??= new Uri(BaseUrl);
        credentials ??= (_, _) => ValueTask.FromResult(new MoneyKitCredentials("client-1", "secret-1"));
        return new MoneyKitClient(new HttpClient(this), credentials, options, clock, NullLogger<MoneyKitClient>.Instance);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var body = "";
        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers)
            {
                headers[header.Key] = string.Join(",", header.Value);
            }

            body = await request.Content.ReadAsStringAsync(cancellationToken);
        }

        var recorded = new RecordedRequest(request.Method, request.RequestUri!.AbsolutePath, request.RequestUri.Query, headers, body);
        lock (gate)
        {
            requests.Add(recorded);
        }

        return recorded.Path == "/auth/token"
            ? await Token(recorded, cancellationToken)
            : await Api(recorded, cancellationToken);
    }
}

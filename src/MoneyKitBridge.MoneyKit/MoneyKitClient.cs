using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.MoneyKit;

/// <summary>
/// Typed client for the MoneyKit endpoints the bridge uses. Thread-safe; register it as a singleton
/// (<see cref="MoneyKitServiceCollectionExtensions.AddMoneyKitClient"/>) so the bearer token is shared.
/// Every call sends <c>MoneyKit-Version</c>; 408/429/5xx, timeouts and connection errors are retried with
/// backoff honouring <c>Retry-After</c> (a POST only when it cannot have been applied: 408, 429, 503 or a failed
/// connect); an expired token is renewed once; rejected credentials are re-read once.
/// Failures surface as <see cref="MoneyKitException"/>.
/// </summary>
public sealed partial class MoneyKitClient
{
    private readonly HttpClient http;
    private readonly MoneyKitCredentialResolver credentials;
    private readonly TimeProvider time;
    private readonly ILogger<MoneyKitClient> logger;
    private readonly Uri baseUrl;
    private readonly string version;
    private readonly TimeSpan requestTimeout;
    private readonly int maxRetries;
    private readonly TimeSpan maxRetryDelay;
    private readonly MoneyKitAccessTokenCache tokens;

    /// <summary>Creates the client.</summary>
    /// <param name="http">Transport; its <see cref="HttpClient.Timeout"/> should be infinite (attempts are timed by <see cref="MoneyKitOptions.RequestTimeout"/>).</param>
    /// <param name="credentials">Supplies the client id and secret.</param>
    /// <param name="options">Validated settings; read once here.</param>
    /// <param name="time">Clock for token expiry, timeouts and retry delays.</param>
    /// <param name="logger">Receives retries and renewals (never tokens or secrets).</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid.</exception>
    public MoneyKitClient(HttpClient http, MoneyKitCredentialResolver credentials, MoneyKitOptions options, TimeProvider time, ILogger<MoneyKitClient> logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var validation = new MoneyKitOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        this.http = http;
        this.credentials = credentials;
        this.time = time;
        this.logger = logger;
        var url = options.BaseUrl!.ToString();
        baseUrl = new Uri(url.EndsWith('/') ? url : url + "/", UriKind.Absolute);
        version = options.Version;
        requestTimeout = options.RequestTimeout;
        maxRetries = options.MaxRetries;
        maxRetryDelay = options.MaxRetryDelay;
        tokens = new MoneyKitAccessTokenCache(time, options.TokenRefreshAhead, FetchAccessTokenAsync);
    }

    /// <summary><c>POST /link-session</c>: starts a MoneyKit Connect session.</summary>
    /// <exception cref="MoneyKitException">MoneyKit refused or could not be reached.</exception>
    public async Task<MoneyKitLinkSession> CreateLinkSessionAsync(CreateLinkSessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, MoneyKitJsonContext.Default.CreateLinkSessionRequest);
        var reply = await SendAsync(new MoneyKitCall(HttpMethod.Post, "link-session", body), cancellationToken);
        return Read(reply, MoneyKitJsonContext.Default.MoneyKitLinkSession);
    }

    /// <summary><c>POST /link-session/exchange-token</c>: turns Connect's exchangeable token into a link.</summary>
    /// <exception cref="MoneyKitException">MoneyKit refused (e.g. <c>link_session_error.invalid_token_exchange</c>) or could not be reached.</exception>
    public async Task<MoneyKitExchangeTokenResponse> ExchangeTokenAsync(string exchangeableToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(exchangeableToken);
        var body = JsonSerializer.SerializeToUtf8Bytes(new MoneyKitExchangeTokenRequest(exchangeableToken), MoneyKitInternalJsonContext.Default.MoneyKitExchangeTokenRequest);
        var reply = await SendAsync(new MoneyKitCall(HttpMethod.Post, "link-session/exchange-token", body), cancellationToken);
        return Read(reply, MoneyKitJsonContext.Default.MoneyKitExchangeTokenResponse);
    }

    /// <summary><c>GET /links/{id}</c>.</summary>
    /// <exception cref="MoneyKitException">E.g. 404 <c>link_error.not_found</c>.</exception>
    public async Task<MoneyKitLink> GetLinkAsync(string linkId, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new MoneyKitCall(HttpMethod.Get, LinkPath(linkId)), cancellationToken);
        return Read(reply, MoneyKitJsonContext.Default.MoneyKitLink);
    }

    /// <summary><c>DELETE /links/{id}</c>: disables the link at MoneyKit.</summary>
    /// <exception cref="MoneyKitException">E.g. 404/410 when the link is already gone.</exception>
    public async Task DeleteLinkAsync(string linkId, CancellationToken cancellationToken = default) =>
        await SendAsync(new MoneyKitCall(HttpMethod.Delete, LinkPath(linkId)), cancellationToken);

    /// <summary><c>GET /links/{id}/accounts</c>.</summary>
    /// <exception cref="MoneyKitException">MoneyKit refused or could not be reached.</exception>
    public async Task<MoneyKitAccountsResponse> GetAccountsAsync(string linkId, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new MoneyKitCall(HttpMethod.Get, LinkPath(linkId) + "/accounts"), cancellationToken);
        return Read(reply, MoneyKitJsonContext.Default.MoneyKitAccountsResponse);
    }

    /// <summary><c>GET /links/{id}/transactions/sync</c>: changes since <paramref name="cursor"/> (null: the whole history).</summary>
    /// <param name="linkId">The link.</param>
    /// <param name="cursor">The <c>cursor.next</c> stored from the previous page, or null to start over.</param>
    /// <param name="size">Page size, 1 to 500.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="MoneyKitException">E.g. 404/410/422 for links that are gone or in a bad state, 429.</exception>
    public async Task<MoneyKitTransactionSyncResponse> SyncTransactionsAsync(string linkId, string? cursor, int size, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 500);
        var query = "?size=" + size.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(cursor))
        {
            query += "&cursor=" + Uri.EscapeDataString(cursor);
        }

        var reply = await SendAsync(new MoneyKitCall(HttpMethod.Get, LinkPath(linkId) + "/transactions/sync", Query: query), cancellationToken);
        return Read(reply, MoneyKitJsonContext.Default.MoneyKitTransactionSyncResponse);
    }

    /// <summary><c>POST /links/{id}/products</c>: asks MoneyKit to refresh products (answered 202; data arrives later).</summary>
    /// <exception cref="MoneyKitException">E.g. 429 when the product was refreshed too recently (see <see cref="MoneyKitException.RetryAfter"/>).</exception>
    public async Task RefreshProductsAsync(string linkId, IReadOnlyList<string> products, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentOutOfRangeException.ThrowIfZero(products.Count);
        var body = JsonSerializer.SerializeToUtf8Bytes(new MoneyKitRefreshProductsRequest(products), MoneyKitInternalJsonContext.Default.MoneyKitRefreshProductsRequest);
        await SendAsync(new MoneyKitCall(HttpMethod.Post, LinkPath(linkId) + "/products", body), cancellationToken);
    }

    /// <summary><c>GET /.well-known/jwks.json</c>: MoneyKit's webhook signing keys, as raw JSON (sent with <c>X-Client-Id</c>, no bearer token).</summary>
    /// <exception cref="MoneyKitException">MoneyKit refused or could not be reached.</exception>
    public async Task<string> GetJwksJsonAsync(CancellationToken cancellationToken = default)
    {
        var client = await credentials(false, cancellationToken);
        var call = new MoneyKitCall(HttpMethod.Get, ".well-known/jwks.json", Auth: MoneyKitCallAuth.ClientId, ClientId: client.ClientId);
        var reply = await SendAsync(call, cancellationToken);
        var json = Encoding.UTF8.GetString(reply.Body);
        try
        {
            using var document = JsonDocument.Parse(json);
            return json;
        }
        catch (JsonException ex)
        {
            throw UnreadableBody(call, reply, ex);
        }
    }

    private static string LinkPath(string linkId)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkId);
        return "links/" + Uri.EscapeDataString(linkId);
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MoneyKitBridge.Simulation.MoneyKit;

/// <summary>
/// MoneyKit behind the real <c>MoneyKitClient</c>'s <see cref="HttpClient"/>: the endpoints the refresh job and the
/// sync engine call (<c>auth/token</c>, <c>POST links/{id}/products</c>, <c>GET links/{id}</c>,
/// <c>transactions/sync</c> and <c>accounts</c>, both empty), with the per-link refresh limit, per-app limits per
/// minute, 429 storms and links in error (422 <c>link_error.bad_state</c>, as the sandbox answers). An accepted refresh
/// completes <see cref="MoneyKitModel.RefreshCompletion"/> later. Answers at once; the clock moves by the modelled latency.
/// </summary>
internal sealed class SimulatedMoneyKit(UpstreamLinks links, MoneyKitModel model, SimulatedLatency latency, DateTimeOffset start, TimeSpan refreshExtraLatency, Random random)
    : HttpMessageHandler
{
    private readonly Lock gate = new();
    private readonly Dictionary<long, int> refreshesPerMinute = [];
    private readonly Dictionary<long, int> linkReadsPerMinute = [];

    public MoneyKitCalls Calls { get; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        HttpResponseMessage response;
        TimeSpan spent;
        lock (gate)
        {
            (response, spent) = Answer(request);
        }

        latency.Spend(spent);
        return Task.FromResult(response);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    private (HttpResponseMessage Response, TimeSpan Spent) Answer(HttpRequestMessage request)
    {
        var path = request.RequestUri!.AbsolutePath.Trim('/');
        var now = latency.Clock.GetUtcNow();
        if (path == "auth/token")
        {
            Calls.Tokens++;
            return (Json(HttpStatusCode.OK, "{\"access_token\":\"simulated\",\"token_type\":\"Bearer\",\"expires_in\":3600}"), model.ReadLatency);
        }

        var parts = path.Split('/');
        if (parts.Length < 2 || parts[0] != "links" || !UpstreamLinks.TryIndexOf(Uri.UnescapeDataString(parts[1]), links.Count, out var link))
        {
            throw new NotSupportedException($"The simulated MoneyKit does not serve {request.Method} {path}.");
        }

        var rest = string.Join('/', parts.Skip(2));
        var minute = (now - start).Ticks / TimeSpan.TicksPerMinute;
        var inStorm = model.InStorm(now - start);
        switch (request.Method.Method, rest)
        {
            case ("POST", "products"):
                if (inStorm)
                {
                    Calls.RefreshesInStorm++;
                    return (RateLimited(model.StormRetryAfter), model.ReadLatency);
                }

                if (Count(refreshesPerMinute, minute) > model.AppRefreshesPerMinute)
                {
                    Calls.RefreshesOverAppLimit++;
                    return (RateLimited(TimeSpan.FromMinutes(minute + 1) - (now - start)), model.ReadLatency);
                }

                if (links.IsErrored(link))
                {
                    Calls.RefreshesOfErroredLinks++;
                    return (BadState(), model.ReadLatency);
                }

                if (links.AcceptedAt(link) + model.PerLinkInterval > now)
                {
                    Calls.RefreshesOverLinkLimit++;
                    return (RateLimited(links.AcceptedAt(link) + model.PerLinkInterval - now), model.ReadLatency);
                }

                Calls.RefreshesAccepted++;
                links.Accepted(link, now);
                links.Completions.Enqueue(new UpstreamEvent(link, random.NextDouble() < model.LostWebhookShare), (now + model.RefreshCompletion).UtcTicks);
                return (new HttpResponseMessage(HttpStatusCode.Accepted), model.RefreshLatency + refreshExtraLatency);
            case ("GET", ""):
                Calls.LinkReads++;
                if (inStorm || Count(linkReadsPerMinute, minute) > model.AppLinkReadsPerMinute)
                {
                    Calls.LinkReadsRefused++;
                    return (RateLimited(model.StormRetryAfter), model.ReadLatency);
                }

                return (Json(HttpStatusCode.OK, LinkJson(link)), model.ReadLatency);
            case ("GET", "transactions/sync"):
                Calls.SyncPages++;
                return links.IsErrored(link)
                    ? (BadState(), model.ReadLatency)
                    : (Json(HttpStatusCode.OK, "{\"transactions\":{\"created\":[],\"updated\":[],\"removed\":[]},\"accounts\":[],\"cursor\":{\"next\":\"c\"},\"has_more\":false,\"link\":" + LinkJson(link) + "}"), model.ReadLatency);
            case ("GET", "accounts"):
                Calls.AccountReads++;
                return (Json(HttpStatusCode.OK, "{\"accounts\":[],\"link\":" + LinkJson(link) + "}"), model.ReadLatency);
            default:
                throw new NotSupportedException($"The simulated MoneyKit does not serve {request.Method} {path}.");
        }
    }

    private static int Count(Dictionary<long, int> perMinute, long minute)
    {
        var count = perMinute.GetValueOrDefault(minute) + 1;
        perMinute[minute] = count;
        perMinute.Remove(minute - 2);
        return count;
    }

    private string LinkJson(int link)
    {
        var refreshed = links.RefreshedAt(link).ToString("O", CultureInfo.InvariantCulture);
        var state = links.IsErrored(link) ? "\"state\":\"error\",\"error_code\":\"auth_expired\"" : "\"state\":\"connected\",\"error_code\":null";
        return "{\"link_id\":\"" + UpstreamLinks.IdOf(link) + "\"," + state
            + ",\"products\":{\"transactions\":{\"refreshed_at\":\"" + refreshed + "\"},\"accounts\":{\"refreshed_at\":\"" + refreshed + "\"}}}";
    }

    private static HttpResponseMessage RateLimited(TimeSpan retryAfter)
    {
        var response = Json(HttpStatusCode.TooManyRequests, "{\"error_code\":\"api_error.rate_limit_exceeded\",\"error_message\":\"Rate limit exceeded\"}");
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds))));
        return response;
    }

    private static HttpResponseMessage BadState() =>
        Json(HttpStatusCode.UnprocessableEntity, "{\"error_code\":\"link_error.bad_state\",\"error_message\":\"The link is in state 'error'.\",\"link_error_code\":\"auth_expired\"}");

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}

/// <summary>Calls the simulated MoneyKit answered, by kind and outcome.</summary>
internal sealed class MoneyKitCalls
{
    public long Tokens { get; set; }

    public long RefreshesAccepted { get; set; }

    public long RefreshesOverLinkLimit { get; set; }

    public long RefreshesOverAppLimit { get; set; }

    public long RefreshesInStorm { get; set; }

    public long RefreshesOfErroredLinks { get; set; }

    public long LinkReads { get; set; }

    public long LinkReadsRefused { get; set; }

    public long SyncPages { get; set; }

    public long AccountReads { get; set; }

    public long Refreshes => RefreshesAccepted + RefreshesOverLinkLimit + RefreshesOverAppLimit + RefreshesInStorm + RefreshesOfErroredLinks;

    public long All => Tokens + Refreshes + LinkReads + SyncPages + AccountReads;

    public MoneyKitCalls Copy() => (MoneyKitCalls)MemberwiseClone();
}

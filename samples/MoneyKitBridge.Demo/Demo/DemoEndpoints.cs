using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using Microsoft.Extensions.Primitives;
using MoneyKitBridge.Demo.Bridge;
using Microsoft.Extensions.Options;

namespace MoneyKitBridge.Demo.Demo;

/// <summary>
/// The demo backend's own API for its page (<c>/demo/...</c>) and Connect's return address (<c>/connected</c>). Every call
/// goes to the bridge with this backend's credentials; a link id from the page is used only when it is one of the user's links.
/// </summary>
public static class DemoEndpoints
{
    private static readonly string[] TransactionFilters = ["account_ids", "start_date", "end_date", "page", "size"];

    /// <summary>The demo shows balances and transactions: both asked for and fetched during Connect, so the first sync has data.</summary>
    private static readonly LinkSessionSettings Settings = new(new Dictionary<string, ProductSetting>(StringComparer.Ordinal)
    {
        ["accounts"] = new(Required: true, Prefetch: true),
        ["transactions"] = new(Required: true, Prefetch: true),
    });

    public static void MapDemoEndpoints(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (BridgeException e) when (!context.Response.HasStarted)
            {
                DemoLog.BridgeUnavailable(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoEndpoints)), e.Status);
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
                await context.Response.WriteAsJsonAsync(new DemoError("demo_error.bridge_unavailable", e.Message), DemoJsonContext.Default.DemoError);
            }
        });

        app.MapGet("/connected", ConnectedAsync);
        var demo = app.MapGroup("/demo");
        demo.MapPost("/link-session", CreateLinkSessionAsync);
        demo.MapGet("/links", (HttpContext context, BridgeClient bridge) => UserLinksAsync(context, bridge));
        demo.MapGet("/links/{linkId}/accounts", (string linkId, HttpContext context, BridgeClient bridge) =>
            ForOwnLinkAsync(linkId, context, bridge, path => bridge.GetAsync(path + "/accounts", context.RequestAborted)));
        demo.MapGet("/links/{linkId}/transactions", (string linkId, HttpContext context, BridgeClient bridge) =>
            ForOwnLinkAsync(linkId, context, bridge, path => bridge.GetAsync(path + "/transactions" + FilterQuery(context.Request.Query), context.RequestAborted)));
        demo.MapPost("/links/{linkId}/refresh", (string linkId, HttpContext context, BridgeClient bridge) =>
            ForOwnLinkAsync(linkId, context, bridge, async path => Outcome(await bridge.PostAsync(path + "/products", """{"products":["accounts","transactions"]}""", context.RequestAborted))));
        demo.MapDelete("/links/{linkId}", (string linkId, HttpContext context, BridgeClient bridge, ILogger<DemoApp> logger) =>
            ForOwnLinkAsync(linkId, context, bridge, async path =>
            {
                var answer = await bridge.DeleteAsync(path, context.RequestAborted);
                DemoLog.Disconnected(logger, linkId, answer.Status);
                return Outcome(answer);
            }));
    }

    /// <summary>Starts Connect for the user: a link session at the bridge, answered with the Connect UI address to open.</summary>
    private static async Task<IResult> CreateLinkSessionAsync(HttpContext context, BridgeClient bridge, IOptions<DemoOptions> options)
    {
        var user = DemoUser.Of(context);
        var redirect = $"{context.Request.Scheme}://{context.Request.Host}/connected";
        var body = JsonSerializer.Serialize(new LinkSessionRequest(new CustomerUser(user), redirect, Settings), DemoJsonContext.Default.LinkSessionRequest);
        var answer = await bridge.PostAsync("link-session", body, context.RequestAborted);
        if (!answer.IsSuccess)
        {
            return answer.ToResult();
        }

        var session = JsonSerializer.Deserialize(answer.Json, DemoJsonContext.Default.LinkSessionAnswer);
        if (string.IsNullOrEmpty(session?.LinkSessionToken))
        {
            throw new BridgeException(answer.Status, "The bridge answered the link session without a token.");
        }

        var connectUrl = options.Value.ConnectUrl.Replace("{token}", Uri.EscapeDataString(session.LinkSessionToken), StringComparison.Ordinal);
        return TypedResults.Json(new ConnectStart(connectUrl), DemoJsonContext.Default.ConnectStart);
    }

    /// <summary>Connect's <c>redirect_uri</c>: exchanges the token through the bridge (server side), then shows the page again.</summary>
    private static async Task<IResult> ConnectedAsync(HttpContext context, BridgeClient bridge, ILogger<DemoApp> logger)
    {
        var query = context.Request.Query;
        if (query["error"].FirstOrDefault() is { Length: > 0 } error)
        {
            return TypedResults.Redirect("/?connect_error=" + Uri.EscapeDataString(error));
        }

        if (query["exchangeable_token"].FirstOrDefault() is not { Length: > 0 } exchangeable)
        {
            return TypedResults.Redirect("/?connect_error=missing_token");
        }

        var body = JsonSerializer.Serialize(new ExchangeRequest(exchangeable), DemoJsonContext.Default.ExchangeRequest);
        var answer = await bridge.PostAsync("link-session/exchange-token", body, context.RequestAborted);
        var linkId = answer.IsSuccess ? JsonSerializer.Deserialize(answer.Json, DemoJsonContext.Default.ExchangeAnswer)?.LinkId : null;
        if (linkId is null)
        {
            return TypedResults.Redirect("/?connect_error=exchange_failed");
        }

        DemoLog.Linked(logger, linkId);
        return TypedResults.Redirect("/?linked=" + Uri.EscapeDataString(linkId));
    }

    private static async Task<IResult> UserLinksAsync(HttpContext context, BridgeClient bridge) =>
        (await bridge.GetAsync("users/" + Uri.EscapeDataString(DemoUser.Of(context)) + "/links", context.RequestAborted)).ToResult();

    /// <summary>Runs <paramref name="call"/> with the bridge path of <paramref name="linkId"/> when it is one of the user's links; else 404.</summary>
    private static Task<IResult> ForOwnLinkAsync(string linkId, HttpContext context, BridgeClient bridge, Func<string, Task<BridgeAnswer>> call) =>
        ForOwnLinkAsync(linkId, context, bridge, async path => (await call(path)).ToResult());

    private static async Task<IResult> ForOwnLinkAsync(string linkId, HttpContext context, BridgeClient bridge, Func<string, Task<IResult>> call)
    {
        var links = await bridge.GetAsync("users/" + Uri.EscapeDataString(DemoUser.Of(context)) + "/links", context.RequestAborted);
        if (!links.IsSuccess)
        {
            return links.ToResult();
        }

        using var document = JsonDocument.Parse(links.Json);
        if (!document.RootElement.TryGetProperty("links", out var owned) || owned.ValueKind != JsonValueKind.Object || !owned.TryGetProperty(linkId, out _))
        {
            return TypedResults.Json(new DemoError("link_error.not_found", "Link not found."), DemoJsonContext.Default.DemoError, statusCode: StatusCodes.Status404NotFound);
        }

        return await call("links/" + Uri.EscapeDataString(linkId));
    }

    /// <summary>
    /// An action's outcome for the page, always 200 once the link is the user's: the bridge's status and error (a refresh
    /// inside MoneyKit's hourly limit is an expected answer the page shows, not a failed request).
    /// </summary>
    private static JsonHttpResult<ActionOutcome> Outcome(BridgeAnswer answer)
    {
        string? code = null, message = null;
        if (!answer.IsSuccess && answer.Json.Length > 0)
        {
            try
            {
                var error = JsonSerializer.Deserialize(answer.Json, DemoJsonContext.Default.DemoError);
                (code, message) = (error?.ErrorCode, error?.ErrorMessage);
            }
            catch (JsonException)
            {
                // Not MoneyKit-shaped: the status says enough.
            }
        }

        return TypedResults.Json(new ActionOutcome(answer.Status, code, message), DemoJsonContext.Default.ActionOutcome);
    }

    /// <summary>The seed's transaction filters and paging from the page's query, passed on as they are (the bridge validates them).</summary>
    private static string FilterQuery(IQueryCollection query)
    {
        var parts = new List<string>();
        foreach (var name in TransactionFilters)
        {
            foreach (var value in query.TryGetValue(name, out StringValues values) ? values : StringValues.Empty)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    parts.Add(name + "=" + Uri.EscapeDataString(value));
                }
            }
        }

        return parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts);
    }
}

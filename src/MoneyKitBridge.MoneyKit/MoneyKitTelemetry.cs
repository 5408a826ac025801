using System.Diagnostics.Metrics;

namespace MoneyKitBridge.MoneyKit;

/// <summary>
/// The MoneyKit client's counters, on a meter named like the bridge's (<c>MoneyKitBridge</c>) so one subscription
/// collects both. Every HTTP attempt counts (retries too); tags are the operation template (link ids replaced by
/// <c>{id}</c>) and the status class, never ids, tokens or bodies.
/// </summary>
public static class MoneyKitTelemetry
{
    /// <summary>The meter name (the same as the bridge's).</summary>
    public const string MeterName = "MoneyKitBridge";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "moneykit_bridge.moneykit.requests", "{request}", "HTTP requests sent to MoneyKit (each attempt), by operation and status class (2xx, 4xx, 5xx, error).");

    private static readonly Counter<long> Throttled = Meter.CreateCounter<long>(
        "moneykit_bridge.moneykit.throttled", "{request}", "MoneyKit answers 429 (rate limited), by operation.");

    internal static void Answered(HttpMethod method, string path, int? status)
    {
        if (!Requests.Enabled)
        {
            return; // nobody listens: skip building the operation tag
        }

        var operation = new KeyValuePair<string, object?>("operation", Operation(method, path));
        Requests.Add(1, operation, new KeyValuePair<string, object?>("status_class", StatusClass(status)));
        if (status == 429)
        {
            Throttled.Add(1, operation);
        }
    }

    /// <summary>"GET links/{id}/transactions/sync": the link id (the one variable path segment the client sends) is replaced.</summary>
    internal static string Operation(HttpMethod method, string path)
    {
        const string links = "links/";
        if (path.StartsWith(links, StringComparison.Ordinal))
        {
            var rest = path.IndexOf('/', links.Length);
            path = rest < 0 ? "links/{id}" : "links/{id}" + path[rest..];
        }

        return method.Method + " " + path;
    }

    private static string StatusClass(int? status) => status switch
    {
        null => "error",
        >= 200 and < 300 => "2xx",
        >= 300 and < 400 => "3xx",
        >= 400 and < 500 => "4xx",
        _ => "5xx",
    };
}

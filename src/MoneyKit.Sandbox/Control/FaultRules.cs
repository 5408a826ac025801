using MoneyKit.Sandbox.Api;

namespace MoneyKit.Sandbox.Control;

/// <summary>An injected fault for the next <see cref="Remaining"/> matching API calls.</summary>
internal sealed class FaultRule
{
    public required string Id { get; init; }

    public string? Method { get; init; }

    public required string PathPrefix { get; init; }

    public int? Status { get; init; }

    public string? ErrorCode { get; init; }

    public string? RetryAfter { get; init; }

    public int LatencyMs { get; init; }

    public bool DropConnection { get; init; }

    public int Remaining { get; set; }

    /// <summary>Matching calls still let through untouched before the fault applies (say, every page after the first).</summary>
    public int Skip { get; set; }

    public MoneyKitError Error() => new(
        ErrorCode ?? Status switch
        {
            429 => "api_error.rate_limit_exceeded",
            401 => "api_error.auth.unauthorized",
            503 => "api_error.service_unavailable",
            >= 500 => "api_error.internal_server_error",
            _ => "api_error.request.failed",
        },
        "Injected by the sandbox.",
        null);
}

/// <summary>The active fault rules; the first matching rule with calls left applies.</summary>
internal sealed class FaultRules
{
    private readonly Lock gate = new();
    private readonly List<FaultRule> rules = [];
    private int created;

    public string Add(Func<string, FaultRule> create)
    {
        lock (gate)
        {
            var rule = create("fault_" + (++created).ToString(System.Globalization.CultureInfo.InvariantCulture));
            rules.Add(rule);
            return rule.Id;
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
        }
    }

    public FaultRule? Take(string method, string path)
    {
        lock (gate)
        {
            var rule = rules.FirstOrDefault(r => r.Remaining > 0
                && (r.Method is null || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase))
                && path.StartsWith(r.PathPrefix, StringComparison.OrdinalIgnoreCase));
            if (rule is null)
            {
                return null;
            }

            if (rule.Skip > 0)
            {
                rule.Skip--;
                return null;
            }

            rule.Remaining--;
            if (rule.Remaining == 0)
            {
                rules.Remove(rule);
            }

            return rule;
        }
    }
}

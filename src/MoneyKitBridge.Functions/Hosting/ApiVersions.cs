namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// The <c>MoneyKit-Version</c> values the bridge answers in, as MoneyKit's published clients know them. The snapshot is
/// stored in one form; the few routes whose shapes differ by version shape it at output from <see cref="Of"/>:
/// <c>2023-02-18</c> (the default, what MoneyKit's generated clients send) puts account numbers on each account and pages
/// a link's transaction list by <c>page</c> with totals; <c>2023-12-14</c> lists numbers in a top-level <c>numbers</c> and
/// pages the list by <c>cursor</c>, without totals. Any other value is refused, not echoed.
/// </summary>
public static class ApiVersions
{
    /// <summary>Request and response header carrying the MoneyKit API version.</summary>
    public const string Header = "MoneyKit-Version";

    /// <summary>MoneyKit's legacy version: numbers on each account, page-paged transaction list.</summary>
    public const string V20230218 = "2023-02-18";

    /// <summary>Top-level <c>numbers</c>, cursor-paged transaction list.</summary>
    public const string V20231214 = "2023-12-14";

    /// <summary>The version of a request without the header.</summary>
    public const string Default = V20230218;

    private static readonly object Key = new();

    /// <summary>Every version a caller may ask for.</summary>
    public static IReadOnlyList<string> Supported { get; } = [V20230218, V20231214];

    /// <summary>The version a request's header asks for (<see cref="Default"/> when absent or blank); false for one the bridge does not serve.</summary>
    public static bool TryResolve(string? asked, out string version)
    {
        if (string.IsNullOrWhiteSpace(asked))
        {
            version = Default;
            return true;
        }

        var served = Supported.FirstOrDefault(v => v.AsSpan().SequenceEqual(asked.AsSpan().Trim()));
        version = served ?? Default;
        return served is not null;
    }

    /// <summary>Records the version the request is served in.</summary>
    public static void Set(HttpContext context, string version)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[Key] = version;
    }

    /// <summary>The version this request is served in (<see cref="Default"/> when none was recorded).</summary>
    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(Key, out var version) && version is string v ? v : Default;
    }

    /// <summary>True when the request is served in 2023-02-18's shapes.</summary>
    public static bool IsLegacy(HttpContext context) => Of(context) == V20230218;
}

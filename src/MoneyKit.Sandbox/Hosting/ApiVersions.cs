namespace MoneyKit.Sandbox;

/// <summary>
/// The <c>MoneyKit-Version</c> values the sandbox serves. <c>2023-02-18</c> is what MoneyKit's generated clients send
/// by default and puts account numbers on each account (<c>GetAccountNumbersResponseLegacy20230218</c>) and pages
/// transaction lists by <c>page</c>; <c>2023-12-14</c> moves numbers to a top-level <c>numbers</c> and pages
/// transaction lists by <c>cursor</c>. Any other value is refused, not echoed.
/// </summary>
internal static class ApiVersions
{
    public const string Header = "MoneyKit-Version";

    public const string V20230218 = "2023-02-18";

    public const string V20231214 = "2023-12-14";

    public const string Default = V20230218;

    public static IReadOnlyList<string> Supported { get; } = [V20230218, V20231214];

    private static readonly object Key = new();

    /// <summary>The version the request asked for, or <see cref="Default"/>; null when it asked for one the sandbox does not serve.</summary>
    public static string? Resolve(HttpRequest request)
    {
        var asked = request.Headers[Header].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(asked))
        {
            return Default;
        }

        return Supported.FirstOrDefault(v => string.Equals(v, asked.Trim(), StringComparison.Ordinal));
    }

    public static void Set(HttpContext context, string version) => context.Items[Key] = version;

    /// <summary>The version this request is served in.</summary>
    public static string Of(HttpContext context) => context.Items[Key] as string ?? Default;

    public static bool IsLegacy(HttpContext context) => Of(context) == V20230218;
}

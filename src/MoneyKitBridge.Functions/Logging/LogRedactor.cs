using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace MoneyKitBridge.Functions.Logging;

/// <summary>
/// Removes credentials from log text, whatever wrote it: query values (all but the API's own harmless parameters),
/// <c>Bearer</c>/<c>Basic</c>/... credentials, JWTs, and the values of credential-like header lines
/// (<c>Authorization:</c>, <c>Cookie:</c>, <c>*token*:</c>, <c>*secret*:</c>, <c>*key*:</c>, ...).
/// </summary>
public static partial class LogRedactor
{
    /// <summary>What replaces a removed value.</summary>
    public const string Mask = "[redacted]";

    // Query parameters whose values are kept: the API's own, none of which can carry a credential.
    private static readonly FrozenSet<string> KeptQueryNames = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "page", "size", "start_date", "end_date", "account_ids", "account_ids[]", "products");

    /// <summary><paramref name="text"/> without credentials (the same instance when nothing was removed).</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return text;
        }

        var result = QueryPair().Replace(text, m => KeptQueryNames.Contains(Uri.UnescapeDataString(m.Groups["name"].Value)) || m.Groups["value"].Length == 0
            ? m.Value
            : m.Groups["name"].Value + "=" + Mask);
        result = AuthScheme().Replace(result, m => m.Groups["scheme"].Value + " " + Mask);
        result = Jwt().Replace(result, Mask);
        result = CredentialHeader().Replace(result, m => m.Groups["name"].Value + ": " + Mask);
        return string.Equals(result, text, StringComparison.Ordinal) ? text : result;
    }

    [GeneratedRegex("""(?<=[?&])(?<name>[^=&\s"'<>#?]{0,256})=(?<value>[^&\s"'<>#]*)""", RegexOptions.CultureInvariant)]
    private static partial Regex QueryPair();

    [GeneratedRegex("""(?<=^|[\s'":=(\[])(?<scheme>Bearer|Basic|Digest|Negotiate|NTLM|Token|ApiKey|SharedKey|SharedKeyLite)\s+(?!\[redacted\])[^\s,;"']+""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AuthScheme();

    [GeneratedRegex("""eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*""", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    [GeneratedRegex("""(?<name>[A-Za-z0-9_-]*(?:authorization|cookie|token|secret|password|passwd|key|signature|credential|session|auth)[A-Za-z0-9_-]*)\s*:\s*(?!\[redacted\])(?<value>[^\s,;"']+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialHeader();
}

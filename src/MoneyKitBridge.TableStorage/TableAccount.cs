using System.Globalization;

namespace MoneyKitBridge.TableStorage;

/// <summary>
/// Where the Table service is and, for account-key access, the shared key. Parsed from the usual storage
/// connection strings: <c>UseDevelopmentStorage=true</c>, explicit <c>TableEndpoint=...</c> (Azurite on any
/// port) and <c>DefaultEndpointsProtocol=...;AccountName=...;AccountKey=...;EndpointSuffix=...</c>.
/// </summary>
internal sealed record TableAccount(Uri Endpoint, string AccountName, byte[]? AccountKey)
{
    // The Azurite/Storage Emulator well-known development account. Public and documented; not a secret.
    internal const string DevelopmentAccountName = "devstoreaccount1";
    private const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static TableAccount Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException("The storage connection string is malformed: every part must be Name=Value.");
            }

            parts[segment[..equals].Trim()] = segment[(equals + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
        {
            var proxy = parts.TryGetValue("DevelopmentStorageProxyUri", out var p) ? p.TrimEnd('/') : "http://127.0.0.1";
            return new TableAccount(
                new Uri($"{proxy}:10002/{DevelopmentAccountName}", UriKind.Absolute),
                DevelopmentAccountName,
                Convert.FromBase64String(DevelopmentAccountKey));
        }

        if (parts.ContainsKey("SharedAccessSignature"))
        {
            throw new FormatException("SAS connection strings are not supported; use an account key or a managed identity (Storage__TableServiceUri).");
        }

        if (!parts.TryGetValue("AccountName", out var account) || account.Length == 0)
        {
            throw new FormatException("The storage connection string has no AccountName.");
        }

        if (!parts.TryGetValue("AccountKey", out var key) || key.Length == 0)
        {
            throw new FormatException("The storage connection string has no AccountKey.");
        }

        byte[] keyBytes;
        try
        {
            keyBytes = Convert.FromBase64String(key);
        }
        catch (FormatException)
        {
            throw new FormatException("The storage connection string's AccountKey is not valid base64.");
        }

        Uri endpoint;
        if (parts.TryGetValue("TableEndpoint", out var tableEndpoint) && tableEndpoint.Length > 0)
        {
            if (!Uri.TryCreate(tableEndpoint.TrimEnd('/'), UriKind.Absolute, out endpoint!))
            {
                throw new FormatException("The storage connection string's TableEndpoint is not an absolute URI.");
            }
        }
        else
        {
            var protocol = parts.TryGetValue("DefaultEndpointsProtocol", out var proto) ? proto : "https";
            var suffix = parts.TryGetValue("EndpointSuffix", out var s) ? s : "core.windows.net";
            endpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"{protocol}://{account}.table.{suffix}"));
        }

        return new TableAccount(endpoint, account, keyBytes);
    }

    /// <summary>The account name of a token-credential endpoint (<c>https://account.table.core.windows.net</c>).</summary>
    public static TableAccount ForTokenCredential(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException("A managed-identity Table endpoint must be an absolute https URI.", nameof(endpoint));
        }

        var host = endpoint.Host;
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        var account = dot > 0 ? host[..dot] : host;
        return new TableAccount(new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/')), account, null);
    }
}

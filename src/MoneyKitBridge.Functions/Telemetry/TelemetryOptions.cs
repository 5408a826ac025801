namespace MoneyKitBridge.Functions.Telemetry;

/// <summary>
/// Where the app's OpenTelemetry goes. Application Insights when <see cref="ConnectionString"/> is set (Azure sets
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>, and <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> for Entra auth);
/// the console only when <see cref="Console"/> asks (<c>Telemetry__Console=true</c>); nothing otherwise.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Telemetry";

    /// <summary>The setting Azure Functions (and infra/modules/functionapp.bicep) use for the connection string.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The setting for Entra (AAD) auth of the ingestion: <c>Authorization=AAD</c>, optionally <c>;ClientId=...</c> of a user-assigned identity.</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Exports metrics and traces to the console (<c>Telemetry__Console</c>); for local runs.</summary>
    public bool Console { get; set; }

    /// <summary>The Application Insights connection string (from <see cref="ConnectionStringSetting"/>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The ingestion auth (from <see cref="AuthenticationStringSetting"/>); empty means the connection string's key.</summary>
    public string? AuthenticationString { get; set; }

    /// <summary>Whether anything is exported at all.</summary>
    public bool Enabled => Console || !string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>Reads the options from configuration (the section and the two Azure settings).</summary>
    public static TelemetryOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new TelemetryOptions();
        configuration.GetSection(Section).Bind(options);
        options.ConnectionString ??= configuration[ConnectionStringSetting];
        options.AuthenticationString ??= configuration[AuthenticationStringSetting];
        return options;
    }

    /// <summary>Whether the authentication string asks for Entra auth, and with which user-assigned identity (null: the default credential).</summary>
    public bool TryGetEntraAuth(out string? clientId)
    {
        clientId = null;
        var entra = false;
        foreach (var part in (AuthenticationString ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair is [var key, var value])
            {
                if (key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
                {
                    entra = value.Equals("AAD", StringComparison.OrdinalIgnoreCase);
                }
                else if (key.Equals("ClientId", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
                {
                    clientId = value;
                }
            }
        }

        return entra;
    }

    /// <summary>The reasons the options are unusable (empty when valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString)
            && !ConnectionString.Contains("InstrumentationKey=", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{ConnectionStringSetting} must be an Application Insights connection string (InstrumentationKey=...;IngestionEndpoint=...).";
        }

        if (!string.IsNullOrWhiteSpace(AuthenticationString) && !TryGetEntraAuth(out _))
        {
            yield return $"{AuthenticationStringSetting} must be Authorization=AAD (optionally ClientId=<client id of a user-assigned identity>).";
        }
    }
}

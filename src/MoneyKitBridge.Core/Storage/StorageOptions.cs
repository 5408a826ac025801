using System.ComponentModel.DataAnnotations;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// Where the bridge's tables live (section <c>Storage</c>): a connection string (Azurite, account key) or an https
/// Table service URI reached with a managed identity. Exactly one of the two.
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    public string? ConnectionString { get; set; }

    public Uri? TableServiceUri { get; set; }

    /// <summary>Client id of a user-assigned managed identity (else DefaultAzureCredential).</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Prefix of the bridge's table names (letters and digits).</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{0,20}$", ErrorMessage = "Storage__TablePrefix must be 1-21 letters or digits, starting with a letter.")]
    public string TablePrefix { get; set; } = "bridge";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hasConnection = !string.IsNullOrWhiteSpace(ConnectionString);
        if (hasConnection == (TableServiceUri is not null))
        {
            yield return new ValidationResult("Set exactly one of Storage__ConnectionString (Azurite, account key) and Storage__TableServiceUri (managed identity).");
        }

        if (TableServiceUri is { } uri && (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("Storage__TableServiceUri must be an absolute https URI such as https://account.table.core.windows.net.");
        }
    }
}

using System.ComponentModel.DataAnnotations;

namespace MoneyKitBridge.Functions.Secrets;

/// <summary>Key Vault settings (section <c>KeyVault</c>). Without <see cref="Uri"/> secrets come from configuration.</summary>
public sealed class KeyVaultOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "KeyVault";

    /// <summary>The vault URI, e.g. <c>https://my-vault.vault.azure.net/</c> (<c>KeyVault__Uri</c>).</summary>
    public Uri? Uri { get; set; }

    /// <summary>
    /// Client id of a user-assigned managed identity (<c>KeyVault__ManagedIdentityClientId</c>); when empty,
    /// <c>DefaultAzureCredential</c> is used.
    /// </summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>How long a read value is served from memory before the vault is asked again.</summary>
    /// <value>Defaults to 5 minutes; 0 to 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(5);
}

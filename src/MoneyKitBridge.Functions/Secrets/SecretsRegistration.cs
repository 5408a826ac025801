using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MoneyKitBridge.Functions.Secrets;

/// <summary>Registers the <see cref="ISecretProvider"/> chosen by configuration and the start-up secret check.</summary>
public static class SecretsRegistration
{
    /// <summary>
    /// Key Vault (<see cref="KeyVaultSecretProvider"/>) when <c>KeyVault:Uri</c> is set, else
    /// <see cref="ConfigurationSecretProvider"/>. The vault client uses a registered <see cref="TokenCredential"/> and
    /// <see cref="SecretClientOptions"/> when present, else a user-assigned managed identity
    /// (<c>KeyVault:ManagedIdentityClientId</c>) or <c>DefaultAzureCredential</c>.
    /// </summary>
    public static IServiceCollection AddBridgeSecrets(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<KeyVaultOptions>()
            .BindConfiguration(KeyVaultOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Uri is null || (o.Uri.IsAbsoluteUri && o.Uri.Scheme == Uri.UriSchemeHttps), "KeyVault__Uri must be an absolute https URI.")
            .ValidateOnStart();
        services.AddHostedService<RequiredSecretsCheck>();

        if (string.IsNullOrWhiteSpace(configuration[$"{KeyVaultOptions.Section}:Uri"]))
        {
            services.TryAddSingleton<ISecretProvider, ConfigurationSecretProvider>();
            return services;
        }

        services.TryAddSingleton<TokenCredential>(sp =>
            sp.GetRequiredService<IOptions<KeyVaultOptions>>().Value.ManagedIdentityClientId is { Length: > 0 } clientId
                ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
                : new DefaultAzureCredential());
        services.TryAddSingleton(_ => new SecretClientOptions());
        services.TryAddSingleton(sp => new SecretClient(
            sp.GetRequiredService<IOptions<KeyVaultOptions>>().Value.Uri,
            sp.GetRequiredService<TokenCredential>(),
            sp.GetRequiredService<SecretClientOptions>()));
        services.TryAddSingleton<ISecretProvider, KeyVaultSecretProvider>();
        return services;
    }

    /// <summary>Makes the app refuse to start when secret <paramref name="name"/> is missing or fails <paramref name="validate"/>.</summary>
    public static IServiceCollection AddRequiredSecret(this IServiceCollection services, string name, Func<string, string?>? validate = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.AddSingleton(new RequiredSecret(name, validate));
        return services;
    }
}

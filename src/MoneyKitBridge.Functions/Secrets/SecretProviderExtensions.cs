using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Secrets;

/// <summary>Reading secrets that must exist.</summary>
public static class SecretProviderExtensions
{
    /// <summary>The secret's value.</summary>
    /// <exception cref="BridgeConfigurationException">The secret does not exist (the message names it, not a value).</exception>
    public static async ValueTask<string> GetRequiredSecretAsync(this ISecretProvider secrets, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        return await secrets.GetSecretAsync(name, cancellationToken)
            ?? throw new BridgeConfigurationException($"Required secret '{name}' is missing ({secrets.DescribeSource(name)}).");
    }
}

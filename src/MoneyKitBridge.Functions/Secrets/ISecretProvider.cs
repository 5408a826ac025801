namespace MoneyKitBridge.Functions.Secrets;

/// <summary>
/// The one place secrets come from: Azure Key Vault when <c>KeyVault__Uri</c> is set, configuration otherwise.
/// Names use configuration form (<c>MoneyKit:ClientSecret</c>); the Key Vault secret is <c>MoneyKit--ClientSecret</c>.
/// </summary>
public interface ISecretProvider
{
    /// <summary>The secret's current value (possibly cached), or <see langword="null"/> when it does not exist.</summary>
    ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the secret from its store again, bypassing and refreshing any cached value. Use after the value was
    /// rejected (e.g. a MoneyKit 401) to pick up a rotation without a restart.
    /// </summary>
    ValueTask<string?> ReloadSecretAsync(string name, CancellationToken cancellationToken);

    /// <summary>Where the secret lives, for error messages (e.g. <c>Key Vault secret 'Auth--SigningKey'</c>).</summary>
    string DescribeSource(string name);
}

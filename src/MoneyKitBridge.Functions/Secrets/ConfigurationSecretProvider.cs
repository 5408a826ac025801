using Microsoft.Extensions.Configuration;

namespace MoneyKitBridge.Functions.Secrets;

/// <summary>
/// Secrets from configuration (<c>local.settings.json</c> Values, environment variables such as
/// <c>Auth__SigningKey</c>). Configuration is already in memory and reloads itself, so nothing is cached here.
/// </summary>
public sealed class ConfigurationSecretProvider(IConfiguration configuration) : ISecretProvider
{
    /// <inheritdoc />
    public ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return ValueTask.FromResult(configuration[name] is { Length: > 0 } value ? value : null);
    }

    /// <inheritdoc />
    public ValueTask<string?> ReloadSecretAsync(string name, CancellationToken cancellationToken) =>
        GetSecretAsync(name, cancellationToken);

    /// <inheritdoc />
    public string DescribeSource(string name) =>
        $"setting '{name.Replace(":", "__", StringComparison.Ordinal)}'";
}

using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Options;

namespace MoneyKitBridge.Functions.Secrets;

/// <summary>
/// Secrets from Azure Key Vault through <see cref="SecretClient"/>. Values (and absences) are cached for
/// <see cref="KeyVaultOptions.CacheTtl"/> on <see cref="TimeProvider"/>; a rotated value is seen after the TTL,
/// or at once through <see cref="ReloadSecretAsync"/>.
/// </summary>
public sealed partial class KeyVaultSecretProvider(SecretClient client, IOptions<KeyVaultOptions> options, TimeProvider time)
    : ISecretProvider
{
    private readonly ConcurrentDictionary<string, CachedSecret> cache = new(StringComparer.Ordinal);
    private readonly TimeSpan ttl = options.Value.CacheTtl;

    /// <summary>Key Vault name of configuration name <paramref name="name"/>: <c>A:B</c> → <c>A--B</c>.</summary>
    /// <exception cref="ArgumentException">The result is not a valid Key Vault secret name.</exception>
    public static string ToVaultName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var vaultName = name.Replace(":", "--", StringComparison.Ordinal);
        return VaultName().IsMatch(vaultName)
            ? vaultName
            : throw new ArgumentException($"'{name}' does not map to a Key Vault secret name (letters, digits, '-' and ':' only).", nameof(name));
    }

    /// <summary>Configuration name of Key Vault secret <paramref name="vaultName"/>: <c>A--B</c> → <c>A:B</c>.</summary>
    public static string FromVaultName(string vaultName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vaultName);
        return vaultName.Replace("--", ":", StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public async ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        var vaultName = ToVaultName(name);
        if (cache.TryGetValue(vaultName, out var cached) && time.GetUtcNow() < cached.ExpiresAt)
        {
            return cached.Value;
        }

        return await ReadAsync(vaultName, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<string?> ReloadSecretAsync(string name, CancellationToken cancellationToken) =>
        await ReadAsync(ToVaultName(name), cancellationToken);

    /// <inheritdoc />
    public string DescribeSource(string name) =>
        $"Key Vault secret '{ToVaultName(name)}' in {client.VaultUri}";

    private async Task<string?> ReadAsync(string vaultName, CancellationToken cancellationToken)
    {
        string? value;
        try
        {
            KeyVaultSecret secret = await client.GetSecretAsync(vaultName, version: null, cancellationToken);
            value = secret.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            value = null;
        }

        cache[vaultName] = new CachedSecret(value, time.GetUtcNow() + ttl);
        return value;
    }

    [GeneratedRegex("^[0-9A-Za-z-]{1,127}$")]
    private static partial Regex VaultName();

    private sealed record CachedSecret(string? Value, DateTimeOffset ExpiresAt);
}

using Azure;
using Azure.Identity;
using Microsoft.Extensions.Hosting;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Secrets;

/// <summary>
/// At start-up, reads every <see cref="RequiredSecret"/> and stops the app with one clear line naming each
/// missing or malformed secret (never its value) — the process then exits non-zero.
/// </summary>
public sealed class RequiredSecretsCheck(ISecretProvider secrets, IEnumerable<RequiredSecret> required) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var secret in required.DistinctBy(s => s.Name, StringComparer.OrdinalIgnoreCase))
        {
            string? value;
            try
            {
                value = await secrets.GetSecretAsync(secret.Name, cancellationToken);
            }
            catch (RequestFailedException ex)
            {
                throw new BridgeConfigurationException(
                    $"Cannot read required secret '{secret.Name}' from {secrets.DescribeSource(secret.Name)}: HTTP {ex.Status} {ex.ErrorCode}.", ex);
            }
            catch (AuthenticationFailedException ex)
            {
                throw new BridgeConfigurationException(
                    $"Cannot read required secret '{secret.Name}': no credential for Key Vault ({ex.GetType().Name}).", ex);
            }

            if (value is null)
            {
                problems.Add($"required secret '{secret.Name}' is missing ({secrets.DescribeSource(secret.Name)})");
            }
            else if (secret.Validate?.Invoke(value) is { } problem)
            {
                problems.Add($"secret '{secret.Name}' is invalid: {problem}");
            }
        }

        if (problems.Count > 0)
        {
            throw new BridgeConfigurationException(string.Join("; ", problems) + ".");
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

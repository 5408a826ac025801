using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MoneyKitBridge.Core.Storage;

/// <summary>Wires the bridge's Table Storage into a host: the tables, and creating them at start.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="BridgeTables"/> from the bound <see cref="StorageOptions"/> (a connection string, or an https
    /// Table service URI reached with the configured user-assigned managed identity, else
    /// <see cref="DefaultAzureCredential"/>) and a hosted service that creates the tables at start; an account that
    /// cannot be reached stops the start with a <see cref="StorageStartupException"/>.
    /// </summary>
    public static IServiceCollection AddBridgeStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp => Connect(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddHostedService<StorageStartup>();
        return services;
    }

    private static BridgeTables Connect(StorageOptions storage)
    {
        if (!string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            return BridgeTables.Connect(storage.ConnectionString, storage.TablePrefix);
        }

        TokenCredential credential = storage.ManagedIdentityClientId is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
        return BridgeTables.Connect(storage.TableServiceUri!, credential, storage.TablePrefix);
    }
}

/// <summary>The bridge's tables could not be created at start: the storage account is not reachable or not authorized.</summary>
public sealed class StorageStartupException : Exception
{
    public StorageStartupException()
    {
    }

    public StorageStartupException(string message)
        : base(message)
    {
    }

    public StorageStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Creates the bridge's tables at start; a storage account that cannot be reached stops the start with a clear error.</summary>
internal sealed class StorageStartup(BridgeTables tables, ILogger<StorageStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await tables.EnsureCreatedAsync(cancellationToken);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or AuthenticationFailedException)
        {
            throw new StorageStartupException($"Table Storage is not reachable or not authorized ({e.GetType().Name}: {FirstLine(e.Message)}). Check Storage__ConnectionString / Storage__TableServiceUri.", e);
        }

        logger.LogInformation("Bridge tables are ready");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

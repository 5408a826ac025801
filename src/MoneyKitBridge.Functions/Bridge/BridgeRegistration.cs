using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Institutions;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Operations;
using MoneyKitBridge.Core.Products;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Reconciliation;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.Functions.Secrets;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>Registers storage, the MoneyKit client, the sync engine, queries, lifecycle, refresh and webhooks.</summary>
public static class BridgeRegistration
{
    public const string MoneyKitClientIdSecret = "MoneyKit:ClientId";
    public const string MoneyKitClientSecretSecret = "MoneyKit:ClientSecret";

    public static IServiceCollection AddBridgeCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SyncOptions>().BindConfiguration("Sync").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RefreshOptions>().BindConfiguration(RefreshOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReconcileOptions>().BindConfiguration(ReconcileOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WebhookOptions>().BindConfiguration("Webhooks").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BridgeLinkOptions>().BindConfiguration("Webhooks").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InstitutionCacheOptions>().BindConfiguration(InstitutionCacheOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LinkStateOptions>().BindConfiguration(LinkStateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddBridgeStorage();

        services.AddRequiredSecret(MoneyKitClientIdSecret);
        services.AddRequiredSecret(MoneyKitClientSecretSecret);
        services.AddSingleton<MoneyKitCredentialResolver>(sp =>
        {
            var secrets = sp.GetRequiredService<ISecretProvider>();
            return async (reload, cancellationToken) =>
            {
                var id = reload ? await secrets.ReloadSecretAsync(MoneyKitClientIdSecret, cancellationToken) : await secrets.GetSecretAsync(MoneyKitClientIdSecret, cancellationToken);
                var secret = reload ? await secrets.ReloadSecretAsync(MoneyKitClientSecretSecret, cancellationToken) : await secrets.GetSecretAsync(MoneyKitClientSecretSecret, cancellationToken);
                return new MoneyKitCredentials(
                    id ?? throw new InvalidOperationException($"Secret {MoneyKitClientIdSecret} is missing."),
                    secret ?? throw new InvalidOperationException($"Secret {MoneyKitClientSecretSecret} is missing."));
            };
        });
        services.AddMoneyKitClient(o => { });
        services.AddOptions<MoneyKitOptions>().BindConfiguration(MoneyKitOptions.SectionName);

        services.AddSingleton<LinkStateStore>();
        services.AddSingleton<LinkSyncEngine>();
        services.AddSingleton<LinkSnapshotReader>();
        services.AddSingleton<LinkHealthReader>();
        services.AddSingleton<InstitutionCatalog>();
        services.AddSingleton<ProductDataReader>();
        services.AddSingleton<LinkChangeFeed>();
        services.AddHostedService<Hosting.StartupWarmUp>();
        services.AddSingleton<LinkLifecycle>();
        services.AddSingleton<RefreshStaleLinksJob>();
        services.AddSingleton<ReconcileLinksJob>();
        services.AddSingleton<OnDemandRefresh>();
        services.AddSingleton<MoneyKitJwks>();
        services.AddSingleton<WebhookVerifier>();
        services.AddSingleton<WebhookProcessor>();
        services.AddSingleton<WebhookReceiver>();
        services.AddSingleton<BackgroundSyncScheduler>();
        services.AddSingleton<LinkResync>();
        services.AddSingleton<Transactions.TransactionPageCache>();
        return services;
    }
}

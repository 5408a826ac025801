// Flex Consumption plan + function app running the .NET isolated worker (runtime `dotnet-isolated` 10.0).
// Every connection is identity-based (the one user-assigned identity); no app setting holds a secret.
// The app settings live in a separate `config` resource so that Webhooks__PublicUrl can use the
// app's own default host name.
param name string
param planName string
param location string
param tags object

@description('azd service name (azure.yaml) that deploys into this app.')
param serviceName string

param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param keyVaultUri string
param instanceMemoryMB int
param maximumInstanceCount int

@description('Bridge settings: tablePrefix, moneyKitBaseUrl, moneyKitVersion, webhookIssuer, webhookMaxAge, refreshSchedule, refreshStaleAfter, refreshMaxLinksPerRun, refreshMaxConcurrency, reconcileSchedule, reconcileMaxLinksPerRun, reconcileAdoptUnknownLinks.')
param settings object

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': serviceName
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageAccount.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// No FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION: Flex takes the runtime from
// functionAppConfig.runtime and rejects those settings.
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Functions host storage through the identity (timer locks and schedule monitor blobs).
    AzureWebJobsStorage__accountName: storageAccount.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    // Telemetry with Entra authentication only (local auth is disabled on the component).
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // The bridge's OpenTelemetry goes to Application Insights above; console export is for local runs only.
    Telemetry__Console: 'false'
    // Identity picked by DefaultAzureCredential in the handler.
    AZURE_CLIENT_ID: identityClientId
    // The bridge's tables.
    Storage__TableServiceUri: storageAccount.properties.primaryEndpoints.table
    Storage__ManagedIdentityClientId: identityClientId
    Storage__TablePrefix: settings.tablePrefix
    // MoneyKit upstream.
    MoneyKit__BaseUrl: settings.moneyKitBaseUrl
    MoneyKit__Version: settings.moneyKitVersion
    // Secrets (MoneyKit--ClientId, MoneyKit--ClientSecret, Auth--SigningKey, Auth--Clients) live in the vault.
    KeyVault__Uri: keyVaultUri
    KeyVault__ManagedIdentityClientId: identityClientId
    // Webhooks: the URL MoneyKit delivers to and the signature policy.
    Webhooks__PublicUrl: 'https://${site.properties.defaultHostName}/api/webhooks/moneykit'
    Webhooks__Issuer: settings.webhookIssuer
    Webhooks__MaxAge: settings.webhookMaxAge
    // The RefreshStaleLinks timer: function.json reads the schedule from this setting.
    RefreshStaleLinks__Schedule: settings.refreshSchedule
    RefreshStaleLinks__StaleAfter: settings.refreshStaleAfter
    RefreshStaleLinks__MaxLinksPerRun: string(settings.refreshMaxLinksPerRun)
    RefreshStaleLinks__MaxConcurrency: string(settings.refreshMaxConcurrency)
    // The Reconcile timer (the bridge's links against MoneyKit's): function metadata reads the schedule from this setting.
    Reconcile__Schedule: settings.reconcileSchedule
    Reconcile__MaxLinksPerRun: string(settings.reconcileMaxLinksPerRun)
    Reconcile__AdoptUnknownLinks: string(settings.reconcileAdoptUnknownLinks)
    // The Functions host fires the timer; the handler's own scheduler stays off.
    Standalone__RunTimer: 'false'
  }
}

output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
output webhookUrl string = 'https://${site.properties.defaultHostName}/api/webhooks/moneykit'

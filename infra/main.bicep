// MoneyKit Bridge on Azure: one resource group with a Flex Consumption function app running the
// .NET isolated worker (runtime `dotnet-isolated`), a user-assigned managed identity, a storage
// account without shared keys (host storage, deployment container, the bridge's tables), a Key Vault
// in RBAC mode for the secrets, and Log Analytics + Application Insights with Entra-only ingestion.
// No secret is passed to or stored by this template: secrets go into the vault after provisioning
// (see docs/deployment.md).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name the resource group and to derive resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource. It must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the user or service principal running the deployment. It gets data roles for local runs and for writing the vault secrets. Empty: no role for the deployer.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Kind of principal behind principalId.')
param principalType string = 'User'

@description('MoneyKit API base URL (MoneyKit__BaseUrl).')
param moneyKitBaseUrl string = 'https://api.moneykit.com/'

@description('MoneyKit API version sent as MoneyKit-Version (MoneyKit__Version).')
param moneyKitVersion string = '2023-02-18'

@description('Expected `iss` claim of MoneyKit webhook signatures (Webhooks__Issuer). Empty: not checked.')
param webhookIssuer string = 'https://api.moneykit.com'

@description('Oldest accepted webhook signature age, TimeSpan (Webhooks__MaxAge). MoneyKit retries for up to two hours with the original timestamp.')
param webhookMaxAge string = '02:15:00'

@description('Prefix of the bridge table names (Storage__TablePrefix).')
param tablePrefix string = 'bridge'

@description('Names of bridge tables to create up front. The bridge also creates missing tables itself.')
param tableNames array = []

@description('NCRONTAB schedule (6 fields, UTC) of the RefreshStaleLinks timer (RefreshStaleLinks__Schedule).')
param refreshSchedule string = '0 */15 * * * *'

@description('Links whose data is older than this TimeSpan are refreshed by the timer (RefreshStaleLinks__StaleAfter).')
param refreshStaleAfter string = '06:00:00'

@minValue(1)
@description('Most links one timer run refreshes (RefreshStaleLinks__MaxLinksPerRun).')
param refreshMaxLinksPerRun int = 200

@minValue(1)
@description('Most links refreshed at the same time in one run (RefreshStaleLinks__MaxConcurrency).')
param refreshMaxConcurrency int = 4

@description('NCRONTAB schedule (6 fields, UTC) of the Reconcile timer (Reconcile__Schedule); daily by default.')
param reconcileSchedule string = '0 30 2 * * *'

@minValue(1)
@description('Most links one Reconcile run examines, one GET /links/{id} each (Reconcile__MaxLinksPerRun).')
param reconcileMaxLinksPerRun int = 5000

@description('Adopt links MoneyKit has that the bridge never stored (true) or only report them (Reconcile__AdoptUnknownLinks).')
param reconcileAdoptUnknownLinks bool = true

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption instance memory in MB.')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Flex Consumption maximum instance count.')
param maximumInstanceCount int = 40

@description('Turn on Key Vault purge protection (recommended for production; blocks reusing the vault name for 90 days after a purge).')
param keyVaultPurgeProtection bool = false

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.functionApp}${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: '${abbrs.resourceGroup}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentity}${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.logAnalyticsWorkspace}${resourceToken}'
    applicationInsightsName: '${abbrs.applicationInsights}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageAccount}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    tableNames: tableNames
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVault}${resourceToken}'
    location: location
    tags: tags
    purgeProtection: keyVaultPurgeProtection
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    keyVaultName: vault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module app 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.appServicePlan}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultUri: vault.outputs.uri
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    settings: {
      tablePrefix: tablePrefix
      moneyKitBaseUrl: moneyKitBaseUrl
      moneyKitVersion: moneyKitVersion
      webhookIssuer: webhookIssuer
      webhookMaxAge: webhookMaxAge
      refreshSchedule: refreshSchedule
      refreshStaleAfter: refreshStaleAfter
      refreshMaxLinksPerRun: refreshMaxLinksPerRun
      refreshMaxConcurrency: refreshMaxConcurrency
      reconcileSchedule: reconcileSchedule
      reconcileMaxLinksPerRun: reconcileMaxLinksPerRun
      reconcileAdoptUnknownLinks: reconcileAdoptUnknownLinks
    }
  }
  // The identity must hold its storage, vault and monitoring roles before the host first starts.
  dependsOn: [
    rbac
  ]
}

// Read by azd (written to .azure/<env>/.env) and by docs/deployment.md.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.name
output SERVICE_API_NAME string = app.outputs.name
output SERVICE_API_URI string = app.outputs.uri
output MONEYKIT_WEBHOOK_URL string = app.outputs.webhookUrl
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output AZURE_KEY_VAULT_URI string = vault.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId

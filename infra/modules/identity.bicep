// The one user-assigned identity of the app: host storage, deployment container, tables, vault,
// telemetry. Created before the app so its role assignments exist at the first host start.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId

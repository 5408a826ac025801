using Azure.Core;
using Azure.Core.Pipeline;

namespace MoneyKitBridge.TableStorage;

/// <summary>
/// Entry point to a storage account's Table service. Account-key connection strings (including
/// <c>UseDevelopmentStorage=true</c> and Azurite endpoints) sign with SharedKeyLite; an https endpoint with a
/// <see cref="TokenCredential"/> uses Entra ID (<c>https://storage.azure.com/.default</c>).
/// </summary>
public sealed class TableServiceClient
{
    /// <summary>The OAuth scope of Azure Storage.</summary>
    public const string StorageScope = "https://storage.azure.com/.default";

    private readonly HttpPipeline pipeline;

    /// <summary>Creates a client from a storage connection string (account key).</summary>
    public TableServiceClient(string connectionString, TableClientOptions? options = null)
    {
        options ??= new TableClientOptions();
        var account = TableAccount.Parse(connectionString);
        Endpoint = account.Endpoint;
        AccountName = account.AccountName;
        pipeline = HttpPipelineBuilder.Build(options, [], [new SharedKeyLitePolicy(account.AccountName, account.AccountKey!, options.TimeProvider)], new ResponseClassifier());
    }

    /// <summary>Creates a client for an https Table endpoint authenticated with a token credential (managed identity).</summary>
    public TableServiceClient(Uri endpoint, TokenCredential credential, TableClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new TableClientOptions();
        var account = TableAccount.ForTokenCredential(endpoint);
        Endpoint = account.Endpoint;
        AccountName = account.AccountName;
        pipeline = HttpPipelineBuilder.Build(options, [], [new BearerTokenAuthenticationPolicy(credential, StorageScope)], new ResponseClassifier());
    }

    /// <summary>The Table service endpoint (path-style for Azurite).</summary>
    public Uri Endpoint { get; }

    /// <summary>The storage account name.</summary>
    public string AccountName { get; }

    /// <summary>A client for one table (no request is made).</summary>
    public TableClient GetTableClient(string tableName) => new(pipeline, Endpoint, tableName);
}

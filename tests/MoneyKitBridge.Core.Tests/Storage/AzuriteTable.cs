using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Storage;

/// <summary>A fresh table on the test run's Azurite, deleted afterwards; tests use a partition of their own.</summary>
public sealed class AzuriteTable : IAsyncLifetime
{
    public TableClient Table { get; } =
        new TableServiceClient(TestStorage.ConnectionString, BridgeTables.CreateOptions()).GetTableClient(TestStorage.UniqueTableName("g"));

    public static string NewPartition() => "p" + Guid.NewGuid().ToString("N");

    public async Task InitializeAsync() => await Table.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await Table.DeleteAsync();

    public async Task<List<TableEntity>> RowsAsync(string partition) =>
        await Table.QueryAsync<TableEntity>(TableKeys.PartitionFilter(partition)).ToListAsync();

    public async Task<TableEntity?> GetAsync(string partition, string row)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(partition, row);
        return response.HasValue ? response.Value : null;
    }
}

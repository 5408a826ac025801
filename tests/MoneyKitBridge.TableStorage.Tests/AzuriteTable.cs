using MoneyKitBridge.TableStorage;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.TableStorage.Tests;

/// <summary>A fresh table in the Azurite instance of the test run, deleted afterwards.</summary>
public sealed class AzuriteTable : IAsyncLifetime
{
    public TableServiceClient Service { get; } = new(TestStorage.ConnectionString);

    public TableClient Table { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Table = Service.GetTableClient(TestStorage.UniqueTableName());
        await Table.CreateIfNotExistsAsync();
    }

    public Task DisposeAsync() => Table.DeleteAsync();
}

using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Products;

/// <summary>Reads a link's stored sensitive product data (never MoneyKit).</summary>
public sealed class ProductDataReader(BridgeTables tables)
{
    /// <summary>The stored accounts of <paramref name="product"/> in MoneyKit's order, or null when it was never fetched.</summary>
    public async Task<IReadOnlyList<ProductDataAccountRow>?> GetAsync(string linkId, string product, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkId);
        var partition = LinkRows.Partition(linkId);
        var prefix = ProductDataKeys.ProductPrefix(product);
        var header = false;
        var accounts = new List<ProductDataAccountRow>();
        await foreach (var row in tables.Links.QueryAsync<TableEntity>(TableKeys.KindFilter(partition, prefix), cancellationToken: cancellationToken))
        {
            if (row.RowKey == ProductDataKeys.Header(product))
            {
                header = true;
            }
            else
            {
                accounts.Add(ProductDataAccountRow.FromEntity(row));
            }
        }

        return header ? [.. accounts.OrderBy(a => a.Order).ThenBy(a => a.AccountId, StringComparer.Ordinal)] : null;
    }
}

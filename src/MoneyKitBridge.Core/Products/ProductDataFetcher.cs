using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Products;

/// <summary>
/// Part of a sync: fetches a link's account numbers and identity from MoneyKit when they are granted and MoneyKit has
/// refreshed them since they were stored (its <c>refreshed_at</c> on the link, or a completed
/// <c>link.product_refresh</c> webhook), or when they were never stored (the first sync after the exchange). Reads
/// never fetch. A refusal or outage leaves the stored copy and is tried again by the next sync.
/// </summary>
internal sealed class ProductDataFetcher(BridgeTables tables, MoneyKitClient moneyKit, TimeProvider time, ILogger logger)
{
    /// <summary>Fetches what is due; returns how many products were stored.</summary>
    public async Task<int> FetchDueAsync(LinkState state, CancellationToken cancellationToken)
    {
        var stored = 0;
        foreach (var product in SensitiveProducts.All)
        {
            if (SensitiveProducts.Of(state.Link?.Products, product) is not { } status)
            {
                continue;
            }

            var partition = LinkRows.Partition(state.LinkId);
            var header = await tables.Links.GetEntityIfExistsAsync<TableEntity>(partition, ProductDataKeys.Header(product), cancellationToken: cancellationToken);
            var signal = Newest(status.RefreshedAt, await CompletedRefreshAsync(state.LinkId, product, cancellationToken));
            if (header.HasValue && (signal is null || (ProductDataHeaderRow.FromEntity(header.Value!).RefreshMark is { } mark && signal <= mark)))
            {
                continue;
            }

            MoneyKitProductResponse response;
            try
            {
                response = product == SensitiveProducts.AccountNumbers
                    ? await moneyKit.GetAccountNumbersAsync(state.LinkId, cancellationToken)
                    : await moneyKit.GetIdentityAsync(state.LinkId, cancellationToken);
            }
            catch (MoneyKitException e) when (!cancellationToken.IsCancellationRequested)
            {
                ProductDataLog.NotFetched(logger, product, state.LinkId, e.Status, e.ErrorCode, e.RequestId);
                continue;
            }

            var refreshMark = Newest(signal, SensitiveProducts.Of(response.Link?.Products, product)?.RefreshedAt);
            await StoreAsync(partition, product, response.Accounts, refreshMark, cancellationToken);
            ProductDataLog.Stored(logger, product, state.LinkId, response.Accounts.Count);
            stored++;
        }

        return stored;
    }

    private static DateTimeOffset? Newest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private async Task<DateTimeOffset?> CompletedRefreshAsync(string linkId, string product, CancellationToken cancellationToken)
    {
        var row = await tables.States.GetEntityIfExistsAsync<TableEntity>(LinkRows.Partition(linkId), LinkRows.Product(product), cancellationToken: cancellationToken);
        return row.HasValue && ProductRefreshRow.FromEntity(linkId, row.Value!) is { State: "completed" } refresh ? refresh.StateChangedAt : null;
    }

    /// <summary>Replaces the product's rows: accounts first (stale ones deleted), the header last.</summary>
    private async Task StoreAsync(string partition, string product, IReadOnlyList<JsonElement> accounts, DateTimeOffset? refreshMark, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, ProductDataAccountRow>(StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            if (account.ValueKind == JsonValueKind.Object && account.TryGetProperty("account_id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } accountId)
            {
                rows[accountId] = new ProductDataAccountRow(product, accountId, rows.Count, account.GetRawText());
            }
        }

        var keep = rows.Values.Select(r => ProductDataKeys.Account(product, r.AccountId)).ToHashSet(StringComparer.Ordinal);
        var stale = new List<string>();
        var prefix = ProductDataKeys.ProductPrefix(product);
        await foreach (var row in tables.Links.QueryAsync<TableEntity>(TableKeys.KindFilter(partition, prefix + "a_"), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (!keep.Contains(row.RowKey))
            {
                stale.Add(row.RowKey);
            }
        }

        var actions = stale.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, k), ETag.All))
            .Concat(rows.Values.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r.ToEntity(partition))));
        foreach (var batch in actions.Chunk(100))
        {
            await tables.Links.SubmitCheckedAsync(batch, cancellationToken);
        }

        var header = new ProductDataHeaderRow(product, time.GetUtcNow(), refreshMark, rows.Count);
        await tables.Links.UpsertCheckedAsync(header.ToEntity(partition), TableUpdateMode.Replace, cancellationToken);
    }
}

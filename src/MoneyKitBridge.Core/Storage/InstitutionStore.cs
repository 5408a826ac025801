using Azure;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>Table <c>institutions</c> (see <see cref="InstitutionKeys"/>): the catalog row, and generations written whole and deleted whole.</summary>
public sealed class InstitutionStore(BridgeTables tables)
{
    public async Task<InstitutionCatalogRow?> ReadCatalogAsync(CancellationToken cancellationToken = default)
    {
        var response = await tables.Institutions.GetEntityIfExistsAsync<TableEntity>(InstitutionKeys.CatalogPartition, InstitutionKeys.CatalogRow, cancellationToken: cancellationToken);
        return response.HasValue ? InstitutionCatalogRow.FromEntity(response.Value!) : null;
    }

    /// <summary>
    /// Writes <paramref name="row"/> as the catalog: inserted when <paramref name="ifMatch"/> is default, else replaced
    /// if the stored row still has that ETag. Returns the new ETag, or null when another instance wrote first.
    /// </summary>
    public async Task<ETag?> TryWriteCatalogAsync(InstitutionCatalogRow row, ETag ifMatch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        try
        {
            return ifMatch == default
                ? await tables.Institutions.AddCheckedAsync(row.ToEntity(), cancellationToken)
                : await tables.Institutions.UpdateCheckedAsync(row.ToEntity(), ifMatch, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<InstitutionRow>> LoadAsync(string generation, CancellationToken cancellationToken = default)
    {
        var rows = new List<InstitutionRow>();
        await foreach (var entity in tables.Institutions.QueryAsync<TableEntity>(TableKeys.PartitionFilter(generation), cancellationToken: cancellationToken))
        {
            rows.Add(InstitutionRow.FromEntity(entity));
        }

        return rows;
    }

    public async Task WriteGenerationAsync(string generation, IEnumerable<InstitutionRow> rows, CancellationToken cancellationToken = default)
    {
        foreach (var chunk in rows.Chunk(100))
        {
            await tables.Institutions.SubmitCheckedAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r.ToEntity(generation))), cancellationToken);
        }
    }

    /// <summary>Deletes a generation no catalog row names any more; a failure only leaves storage behind.</summary>
    public async Task DeleteGenerationAsync(string generation, CancellationToken cancellationToken = default)
    {
        try
        {
            var keys = new List<string>();
            await foreach (var entity in tables.Institutions.QueryAsync<TableEntity>(TableKeys.PartitionFilter(generation), select: ["RowKey"], cancellationToken: cancellationToken))
            {
                keys.Add(entity.RowKey);
            }

            foreach (var chunk in keys.Chunk(100))
            {
                await tables.Institutions.SubmitCheckedAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(generation, k), ETag.All)), cancellationToken);
            }
        }
        catch (RequestFailedException)
        {
            // An old copy left behind costs storage only.
        }
    }
}

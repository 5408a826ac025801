using System.Globalization;
using Azure;
using MoneyKitBridge.TableStorage;

namespace MoneyKitBridge.TableStorage.Tests;

/// <summary>The named cases: 100-action atomicity, concurrent updates, > 2,500-entity queries, the 1 MiB limit.</summary>
public sealed class TableLimitsTests : IClassFixture<AzuriteTable>
{
    private readonly TableClient table;

    public TableLimitsTests(AzuriteTable fixture) => table = fixture.Table;

    private static string NewPartition() => "p" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_failing_seventh_action_leaves_all_100_unapplied()
    {
        var pk = NewPartition();
        await table.AddEntityAsync(new TableEntity(pk, "r006") { ["V"] = "existing" });
        var actions = Enumerable.Range(0, 100).Select(i => new TableTransactionAction(
            TableTransactionActionType.Add,
            new TableEntity(pk, "r" + i.ToString("D3", CultureInfo.InvariantCulture)) { ["V"] = "batch" })).ToList();

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(actions));

        Assert.Equal(6, error.FailedActionIndex);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        var rows = await table.QueryAsync(TableFilter.Create($"PartitionKey eq {pk}")).ToListAsync();
        Assert.Equal("existing", Assert.Single(rows).GetString("V"));
    }

    [Fact]
    public async Task Of_concurrent_updates_with_the_same_etag_exactly_one_wins()
    {
        var pk = NewPartition();
        var etag = await table.AddEntityAsync(new TableEntity(pk, "r") { ["Writer"] = -1 });

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async writer =>
        {
            try
            {
                await table.UpdateEntityAsync(new TableEntity(pk, "r") { ["Writer"] = writer }, etag);
                return writer;
            }
            catch (TableConcurrencyException)
            {
                return -1;
            }
        }));

        var winner = Assert.Single(attempts, a => a >= 0);
        Assert.Equal(winner, (await table.GetEntityIfExistsAsync(pk, "r"))!.GetInt32("Writer"));
    }

    [Fact]
    public async Task A_query_over_2600_entities_crosses_continuation_pages_without_loss_or_repeat()
    {
        var pk = NewPartition();
        var batches = Enumerable.Range(0, 2_600).Chunk(100).Select(chunk => table.SubmitTransactionAsync(chunk.Select(i =>
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, i.ToString("D5", CultureInfo.InvariantCulture)) { ["N"] = i }))));
        foreach (var group in batches.Chunk(4))
        {
            await Task.WhenAll(group);
        }

        var pages = await table.QueryPagesAsync(TableFilter.Create($"PartitionKey eq {pk}")).ToListAsync();

        Assert.True(pages.Count >= 3, $"the service pages at 1,000 entities; got {pages.Count} pages");
        Assert.Equal(Enumerable.Range(0, 2_600), pages.SelectMany(p => p.Values).Select(e => e.GetInt32("N")!.Value));
    }

    [Fact]
    public async Task An_entity_over_the_1_MiB_limit_is_rejected_with_the_typed_error_and_not_stored()
    {
        var pk = NewPartition();
        var entity = new TableEntity(pk, "big");
        for (var i = 0; i < 20; i++)
        {
            entity["P" + i.ToString(CultureInfo.InvariantCulture)] = new string((char)('a' + i), 30_000); // 20 × 60 KB of UTF-16
        }

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpsertEntityAsync(entity));

        Assert.Equal(400, error.Status);
        Assert.Equal("EntityTooLarge", error.ErrorCode);
        Assert.Null(await table.GetEntityIfExistsAsync(pk, "big"));
        await Assert.ThrowsAsync<RequestFailedException>(() => table.SubmitTransactionAsync([new(TableTransactionActionType.Add, entity)]));
        Assert.Null(await table.GetEntityIfExistsAsync(pk, "big"));
    }

    [Fact]
    public async Task An_entity_just_under_the_limit_is_stored_and_read_back()
    {
        var pk = NewPartition();
        var entity = new TableEntity(pk, "large");
        for (var i = 0; i < 15; i++)
        {
            entity["P" + i.ToString(CultureInfo.InvariantCulture)] = new string((char)('a' + i), 32_000); // 15 × 64 KB ≈ 0.96 MB
        }

        await table.UpsertEntityAsync(entity);

        var read = await table.GetEntityIfExistsAsync(pk, "large");
        Assert.Equal(new string('o', 32_000), read!.GetString("P14"));
    }

    [Fact]
    public async Task Oversized_single_values_are_refused_with_the_services_code()
    {
        var entity = new TableEntity(NewPartition(), "r") { ["S"] = new string('x', 40_000) };

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpsertEntityAsync(entity));

        Assert.Equal((400, "PropertyValueTooLarge"), (error.Status, error.ErrorCode));
    }
}

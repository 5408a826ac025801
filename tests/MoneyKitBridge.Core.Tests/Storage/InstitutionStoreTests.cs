using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Storage;

/// <summary>The institution table: the catalog row is written only by whoever holds its ETag; generations are whole partitions.</summary>
public sealed class InstitutionStoreTests : IAsyncLifetime
{
    private readonly BridgeTables tables = BridgeTables.Connect(TestStorage.ConnectionString, TestStorage.UniqueTableName("ins"));

    public Task InitializeAsync() => tables.EnsureCreatedAsync();

    public Task DisposeAsync() => tables.DeleteAllAsync();

    [Fact]
    public async Task Only_one_writer_wins_the_catalog_row_and_a_stale_ETag_loses()
    {
        var store = new InstitutionStore(tables);
        var at = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var first = await store.TryWriteCatalogAsync(new InstitutionCatalogRow("gen_a", at, 1, null, null), default);
        Assert.NotNull(first);
        Assert.Null(await store.TryWriteCatalogAsync(new InstitutionCatalogRow("gen_b", at, 1, null, null), default)); // inserted already

        var read = (await store.ReadCatalogAsync())!;
        Assert.Equal("gen_a", read.Generation);
        Assert.NotNull(await store.TryWriteCatalogAsync(read with { NextAttemptAt = at.AddMinutes(5) }, read.ETag)); // the claim
        Assert.Null(await store.TryWriteCatalogAsync(read with { Generation = "gen_c" }, read.ETag)); // a second claimant with the old ETag
        Assert.Equal(at.AddMinutes(5), (await store.ReadCatalogAsync())!.NextAttemptAt);
    }

    [Fact]
    public async Task A_generation_is_written_loaded_and_deleted_whole()
    {
        var store = new InstitutionStore(tables);
        var rows = Enumerable.Range(0, 150).Select(i => new InstitutionRow($"bank/{i:D3}#?", $"Bank {i}", i % 7 == 0, $$"""{"institution_id":"bank/{{i:D3}}#?"}""")).ToList();
        var generation = InstitutionKeys.Generation(DateTimeOffset.UnixEpoch);

        await store.WriteGenerationAsync(generation, rows);
        var loaded = await store.LoadAsync(generation);
        Assert.Equal(rows.OrderBy(r => r.InstitutionId, StringComparer.Ordinal), loaded.OrderBy(r => r.InstitutionId, StringComparer.Ordinal));

        await store.DeleteGenerationAsync(generation);
        Assert.Empty(await store.LoadAsync(generation));
    }
}

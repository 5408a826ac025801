using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Storage;

/// <summary>The reconciliation progress row on real Azurite: created once, written only from the version it was read at.</summary>
public sealed class ReconcileProgressTests
{
    [Fact]
    public async Task Concurrent_first_reads_create_one_row_and_a_write_from_an_old_version_is_refused()
    {
        var tables = BridgeTables.Connect(TestStorage.ConnectionString, TestStorage.UniqueTableName("r"));
        await tables.EnsureCreatedAsync();
        try
        {
            var rows = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ReconcileProgress.GetOrCreateAsync(tables, CancellationToken.None)));
            Assert.All(rows, r => Assert.Equal((ReconcilePhase.Idle, 0L, null), (r.Phase, r.Cycle, r.LeaseOwner)));

            var now = new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
            var basis = await ReconcileProgress.GetOrCreateAsync(tables, CancellationToken.None);
            var claimed = await ReconcileProgress.TryReplaceAsync(tables, basis with { Phase = ReconcilePhase.Listing, Cycle = 1, ListingCursor = "c/1", LeaseOwner = "a", LeaseUntil = now.AddMinutes(5) }, basis, CancellationToken.None);
            Assert.NotNull(claimed);
            Assert.Null(await ReconcileProgress.TryReplaceAsync(tables, basis with { LeaseOwner = "b" }, basis, CancellationToken.None)); // b read before a wrote

            var stored = await ReconcileProgress.GetOrCreateAsync(tables, CancellationToken.None);
            Assert.Equal((ReconcilePhase.Listing, 1L, "c/1", "a", claimed.ETag), (stored.Phase, stored.Cycle, stored.ListingCursor, stored.LeaseOwner, stored.ETag));
            Assert.True(stored.IsLeasedToOther("b", now.AddMinutes(4)));
            Assert.False(stored.IsLeasedToOther("a", now.AddMinutes(4)));
            Assert.False(stored.IsLeasedToOther("b", now.AddMinutes(5)));

            // The row lives in its own partition of linkindex: the planner's index queries never see it.
            Assert.Empty(await LinkIndex.QueryAsync(tables, $"RowKey ge {string.Empty}", 10, CancellationToken.None));
            Assert.Single(tables.LinkIndex.Query<TableEntity>());
        }
        finally
        {
            await tables.DeleteAllAsync();
        }
    }
}

using Azure;
using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Tests.Storage;

/// <summary>The state row's mapping on Azurite: every property round-trips exactly; writes over a row merge what changed or replace when a property is cleared.</summary>
public sealed class LinkStateTests(AzuriteTable fixture) : IClassFixture<AzuriteTable>
{
    private static LinkState Full(string linkId) => new()
    {
        LinkId = linkId,
        OwnerUserId = "user/€#1",
        State = "error",
        ErrorCode = "auth_expired",
        LinkJson = "{\"link_id\":\"" + linkId + "\"}",
        Cursor = "cursor'with\"quotes",
        Version = long.MaxValue - 1,
        HasData = true,
        TransactionsRefreshedAt = new DateTimeOffset(2026, 3, 2, 12, 0, 0, 123, TimeSpan.Zero).AddTicks(4567),
        PendingRefreshedAt = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero),
        LastSyncAt = new DateTimeOffset(2026, 3, 2, 12, 0, 1, TimeSpan.Zero),
        SyncBlockedBy = "link_error.auth_expired",
        LeaseOwner = "owner",
        LeaseUntil = new DateTimeOffset(2026, 3, 2, 12, 5, 0, TimeSpan.Zero),
        SyncRequested = true,
        StateChangedAt = new DateTimeOffset(2026, 3, 2, 11, 0, 0, TimeSpan.Zero),
        DeletedAt = null,
        CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        Generation = 3,
        ResyncGeneration = 4,
        ResyncReason = "cursor_rejected",
        ResyncCursor = "resync'cursor",
        ResyncBase = 41,
        ResyncSequence = 45,
        ResyncRefreshedAt = new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero),
        RetiredFrom = 1,
        RetiredAt = new DateTimeOffset(2026, 3, 2, 11, 30, 0, TimeSpan.Zero),
    };

    private async Task<LinkState> ReadAsync(string linkId)
    {
        var entity = await fixture.GetAsync(LinkRows.Partition(linkId), LinkRows.StateRow);
        return LinkState.FromEntity(entity!);
    }

    [Fact]
    public async Task ToEntity_FromEntity_EveryPropertyRoundTripsExactly()
    {
        var state = Full("mk_link_" + Guid.NewGuid().ToString("N"));

        var etag = await fixture.Table.AddCheckedAsync(state.ToEntity());
        var read = await ReadAsync(state.LinkId);

        Assert.Equal(state with { ETag = etag }, read);
        Assert.False(read.ToEntity().ContainsKey(nameof(LinkState.DeletedAt))); // null is no property, not a stored null
    }

    [Fact]
    public async Task WriteOver_ChangedProperties_MergesOnlyThem_AndClearingOne_Replaces()
    {
        var stored = Full("mk_link_" + Guid.NewGuid().ToString("N"));
        stored = stored with { ETag = await fixture.Table.AddCheckedAsync(stored.ToEntity()) };

        var merge = (stored with { State = "connected", Version = 7 }).WriteOver(stored);
        Assert.Equal(TableTransactionActionType.UpdateMerge, merge.ActionType);
        Assert.Equal(["State", "Version"], ((TableEntity)merge.Entity).Keys.Where(k => k is not ("PartitionKey" or "RowKey")).Order());
        await fixture.Table.SubmitCheckedAsync([merge]);
        var merged = await ReadAsync(stored.LinkId);
        Assert.Equal(stored with { State = "connected", Version = 7, ETag = merged.ETag }, merged);

        var replace = (merged with { LeaseOwner = null, LeaseUntil = null }).WriteOver(merged);
        Assert.Equal(TableTransactionActionType.UpdateReplace, replace.ActionType);
        await fixture.Table.SubmitCheckedAsync([replace]);
        var released = await ReadAsync(stored.LinkId);
        Assert.Equal((null, null, "connected"), (released.LeaseOwner, released.LeaseUntil, released.State));

        // The write is conditional on the ETag it was planned from.
        var stale = await Assert.ThrowsAsync<TableTransactionFailedException>(() => fixture.Table.SubmitCheckedAsync([(merged with { State = "error" }).WriteOver(merged)]));
        Assert.Equal(412, stale.Status);
    }

    [Fact]
    public async Task PartitionScan_Over2600Rows_CrossesContinuationPages_WithoutLossOrRepeat()
    {
        var pk = AzuriteTable.NewPartition();
        var batches = Enumerable.Range(0, 2_600).Chunk(100).Select(chunk => chunk.Select(i =>
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)) { ["N"] = i })).ToList());
        foreach (var group in batches.Chunk(4))
        {
            await Task.WhenAll(group.Select(b => fixture.Table.SubmitCheckedAsync(b)));
        }

        var pages = new List<Page<TableEntity>>();
        await foreach (var page in fixture.Table.QueryAsync<TableEntity>(TableKeys.PartitionFilter(pk)).AsPages())
        {
            pages.Add(page);
        }

        Assert.True(pages.Count >= 3, $"the service pages at 1,000 entities; got {pages.Count} pages");
        Assert.Equal(Enumerable.Range(0, 2_600), pages.SelectMany(p => p.Values).Select(e => e.GetInt32("N")!.Value));
    }
}

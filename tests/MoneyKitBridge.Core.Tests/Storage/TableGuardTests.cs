using System.Globalization;
using Azure;
using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Tests.Storage;

/// <summary>
/// Each guarantee of <see cref="TableGuard"/> on the real Azurite, including those Azurite itself does not enforce
/// (a batch that spans partitions, an update without an ETag that resurrects a deleted row).
/// </summary>
public sealed class TableGuardTests(AzuriteTable fixture) : IClassFixture<AzuriteTable>
{
    private readonly TableClient table = fixture.Table;

    private static TableEntity Row(string partition, string row, string value = "v") => new(partition, row) { ["V"] = value };

    [Fact]
    public async Task SubmitChecked_TwoPartitions_RefusedBeforeSending_ThoughAzuriteWouldAcceptIt()
    {
        var (a, b) = (AzuriteTable.NewPartition(), AzuriteTable.NewPartition());
        TableTransactionAction[] actions = [new(TableTransactionActionType.Add, Row(a, "r")), new(TableTransactionActionType.Add, Row(b, "r"))];

        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitCheckedAsync(actions));
        Assert.Empty(await fixture.RowsAsync(a));
        Assert.Empty(await fixture.RowsAsync(b));

        // Why the guard exists: Azurite stores this batch (Azure refuses it), so tests on Azurite alone would not notice.
        await table.SubmitTransactionAsync(actions);
        Assert.Single(await fixture.RowsAsync(b));
    }

    [Fact]
    public async Task SubmitChecked_MoreThan100Actions_RefusedBeforeSending()
    {
        var pk = AzuriteTable.NewPartition();
        var actions = Enumerable.Range(0, 101).Select(i => new TableTransactionAction(TableTransactionActionType.Add, Row(pk, "r" + i.ToString("D3", CultureInfo.InvariantCulture)))).ToList();

        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitCheckedAsync(actions));
        Assert.Empty(await fixture.RowsAsync(pk));
        Assert.Empty(await table.SubmitCheckedAsync([]));
    }

    [Fact]
    public async Task SubmitChecked_SameRowTwice_RefusedBeforeSending()
    {
        var pk = AzuriteTable.NewPartition();

        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitCheckedAsync(
            [new(TableTransactionActionType.UpsertReplace, Row(pk, "r", "1")), new(TableTransactionActionType.UpsertMerge, Row(pk, "r", "2"))]));
        Assert.Empty(await fixture.RowsAsync(pk));
    }

    [Theory]
    [InlineData(TableTransactionActionType.UpdateMerge)]
    [InlineData(TableTransactionActionType.UpdateReplace)]
    [InlineData(TableTransactionActionType.Delete)]
    public async Task SubmitChecked_UpdateOrDeleteWithoutETag_Refused_BecauseTheSdkWouldUpsert(TableTransactionActionType type)
    {
        var pk = AzuriteTable.NewPartition();

        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitCheckedAsync([new(type, Row(pk, "gone"))]));
        await Assert.ThrowsAsync<ArgumentException>(() => table.UpdateCheckedAsync(Row(pk, "gone"), default, TableUpdateMode.Merge));
        Assert.Empty(await fixture.RowsAsync(pk));
    }

    [Fact]
    public async Task UpdateMerge_WithoutETag_ResurrectsADeletedRow_InTheRawSdk_ButNotThroughTheGuard()
    {
        var pk = AzuriteTable.NewPartition();
        await table.AddCheckedAsync(Row(pk, "deleted"));
        await table.DeleteEntityAsync(pk, "deleted", ETag.All);

        // The guarded way with ETag.All: the row must exist, so nothing comes back.
        var refused = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitCheckedAsync([new(TableTransactionActionType.UpdateMerge, Row(pk, "deleted"), ETag.All)]));
        Assert.Equal(404, refused.Status);
        Assert.Null(await fixture.GetAsync(pk, "deleted"));

        // The trap the guard closes: the SDK's default ETag sends no If-Match and the "update" recreates the row.
        await table.SubmitTransactionAsync([new(TableTransactionActionType.UpdateMerge, Row(pk, "deleted", "zombie"))]);
        Assert.Equal("zombie", (await fixture.GetAsync(pk, "deleted"))!.GetString("V"));
    }

    [Fact]
    public async Task SubmitChecked_StaleETag_FailsTheWholeTransaction()
    {
        var pk = AzuriteTable.NewPartition();
        var etag = await table.AddCheckedAsync(Row(pk, "a", "1"));
        await table.UpdateCheckedAsync(Row(pk, "a", "2"), etag, TableUpdateMode.Replace);

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitCheckedAsync(
            [new(TableTransactionActionType.Add, Row(pk, "b")), new(TableTransactionActionType.UpdateReplace, Row(pk, "a", "3"), etag)]));

        Assert.Equal((412, 1), (error.Status, error.FailedTransactionActionIndex));
        Assert.Equal("2", (await fixture.GetAsync(pk, "a"))!.GetString("V"));
        Assert.Null(await fixture.GetAsync(pk, "b"));
    }

    [Fact]
    public async Task SubmitChecked_FailingSeventhAction_Leaves100Unapplied_AndNamesIt()
    {
        var pk = AzuriteTable.NewPartition();
        await table.AddCheckedAsync(Row(pk, "r006", "existing"));
        var actions = Enumerable.Range(0, 100).Select(i => new TableTransactionAction(
            TableTransactionActionType.Add, Row(pk, "r" + i.ToString("D3", CultureInfo.InvariantCulture), "batch"))).ToList();

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitCheckedAsync(actions));

        Assert.Equal((409, 6), (error.Status, error.FailedTransactionActionIndex));
        Assert.Equal("existing", Assert.Single(await fixture.RowsAsync(pk)).GetString("V"));
    }

    [Fact]
    public async Task UpdateChecked_ConcurrentWritersWithOneETag_ExactlyOneWins()
    {
        var pk = AzuriteTable.NewPartition();
        var etag = await table.AddCheckedAsync(new TableEntity(pk, "r") { ["Writer"] = -1 });

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async writer =>
        {
            try
            {
                await table.UpdateCheckedAsync(new TableEntity(pk, "r") { ["Writer"] = writer }, etag, TableUpdateMode.Replace);
                return writer;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                return -1;
            }
        }));

        var winner = Assert.Single(attempts, a => a >= 0);
        Assert.Equal(winner, (await fixture.GetAsync(pk, "r"))!.GetInt32("Writer"));
    }

    [Fact]
    public async Task Writes_EntityOver1MiB_RefusedWithTheServicesError_AndNotStored()
    {
        var pk = AzuriteTable.NewPartition();
        var entity = new TableEntity(pk, "big");
        for (var i = 0; i < 20; i++)
        {
            entity["P" + i.ToString(CultureInfo.InvariantCulture)] = new string((char)('a' + i), 30_000); // 20 × 60 KB of UTF-16
        }

        var single = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpsertCheckedAsync(entity, TableUpdateMode.Replace));
        var batch = await Assert.ThrowsAsync<RequestFailedException>(() => table.SubmitCheckedAsync([new(TableTransactionActionType.Add, entity)]));

        Assert.Equal((400, "EntityTooLarge"), (single.Status, single.ErrorCode));
        Assert.Equal((400, "EntityTooLarge"), (batch.Status, batch.ErrorCode));
        Assert.True(StorageErrors.IsCausedByInput(single));
        Assert.Null(await fixture.GetAsync(pk, "big"));
    }

    [Fact]
    public async Task Writes_EntityJustUnderTheLimit_StoredAndReadBack()
    {
        var pk = AzuriteTable.NewPartition();
        var entity = new TableEntity(pk, "large");
        for (var i = 0; i < 15; i++)
        {
            entity["P" + i.ToString(CultureInfo.InvariantCulture)] = new string((char)('a' + i), 32_000); // 15 × 64 KB ≈ 0.96 MB
        }

        await table.UpsertCheckedAsync(entity, TableUpdateMode.Replace);

        Assert.Equal(new string('o', 32_000), (await fixture.GetAsync(pk, "large"))!.GetString("P14"));
    }

    [Fact]
    public async Task Writes_OversizedValueOrTooManyProperties_RefusedWithTheServicesCodes()
    {
        var pk = AzuriteTable.NewPartition();
        var longString = new TableEntity(pk, "s") { ["S"] = new string('x', 40_000) };
        var longBinary = new TableEntity(pk, "b") { ["B"] = new byte[70_000] };
        var wide = new TableEntity(pk, "w");
        for (var i = 0; i < 253; i++)
        {
            wide["P" + i.ToString(CultureInfo.InvariantCulture)] = i;
        }

        Assert.Equal("PropertyValueTooLarge", (await Assert.ThrowsAsync<RequestFailedException>(() => table.AddCheckedAsync(longString))).ErrorCode);
        Assert.Equal("PropertyValueTooLarge", (await Assert.ThrowsAsync<RequestFailedException>(() => table.AddCheckedAsync(longBinary))).ErrorCode);
        Assert.Equal("TooManyProperties", (await Assert.ThrowsAsync<RequestFailedException>(() => table.AddCheckedAsync(wide))).ErrorCode);
        Assert.Empty(await fixture.RowsAsync(pk));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    public async Task Writes_ForbiddenKeyCharacters_RefusedAsInput(string rowKey)
    {
        var pk = AzuriteTable.NewPartition();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddCheckedAsync(Row(pk, rowKey)));

        Assert.True(StorageErrors.IsCausedByInput(error));
        Assert.Empty(await fixture.RowsAsync(pk));
    }

    [Fact]
    public async Task Writes_KeyOverTheLimit_RefusedAsInput_AndTheServiceAgrees()
    {
        var pk = AzuriteTable.NewPartition();
        var tooLong = new string('k', 1100);

        var guarded = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddCheckedAsync(Row(pk, tooLong)));
        var service = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(Row(pk, tooLong)));

        Assert.Equal(400, guarded.Status);
        Assert.Equal(400, service.Status); // the service's own 4xx is input too, never an outage
        Assert.True(StorageErrors.IsCausedByInput(service));
        Assert.False(StorageErrors.IsOutage(service, CancellationToken.None));
    }
}

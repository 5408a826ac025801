using Azure;
using MoneyKitBridge.TableStorage;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.TableStorage.Tests;

public sealed class TableClientTests : IClassFixture<AzuriteTable>
{
    private readonly TableClient table;

    public TableClientTests(AzuriteTable fixture) => table = fixture.Table;

    private static string NewPartition() => "p" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Tables_can_be_created_twice_and_deleted()
    {
        var service = new TableServiceClient(TestStorage.ConnectionString);
        var other = service.GetTableClient(TestStorage.UniqueTableName());

        await other.CreateIfNotExistsAsync();
        await other.CreateIfNotExistsAsync();
        await other.AddEntityAsync(new TableEntity("p", "r"));
        await other.DeleteAsync();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => other.AddEntityAsync(new TableEntity("p", "r2")));
        Assert.Equal(404, error.Status);
        Assert.Equal("TableNotFound", error.ErrorCode);
    }

    [Fact]
    public void Invalid_table_names_are_refused_before_any_request()
    {
        var service = new TableServiceClient(TestStorage.ConnectionString);
        Assert.Throws<ArgumentException>(() => service.GetTableClient("1abc"));
        Assert.Throws<ArgumentException>(() => service.GetTableClient("has-dash"));
    }

    [Fact]
    public async Task Every_supported_type_round_trips_exactly()
    {
        var pk = NewPartition();
        var when = new DateTimeOffset(2025, 12, 31, 23, 59, 58, TimeSpan.Zero).AddTicks(1234567);
        var id = Guid.NewGuid();
        var entity = new TableEntity(pk, "all")
        {
            ["Text"] = "naïve 'quoted' \"text\" 💶",
            ["Int32"] = int.MinValue,
            ["Int64"] = long.MaxValue,
            ["WholeDouble"] = 1.0,
            ["Double"] = 0.1 + 0.2,
            ["NaN"] = double.NaN,
            ["True"] = true,
            ["When"] = when,
            ["Id"] = id,
            ["Bytes"] = new byte[] { 0, 1, 2, 254, 255 },
            ["Amount"] = "1234.5600",
        };

        await table.AddEntityAsync(entity);
        var read = await table.GetEntityIfExistsAsync(pk, "all");

        Assert.NotNull(read);
        Assert.Equal("naïve 'quoted' \"text\" 💶", read.GetString("Text"));
        Assert.Equal(int.MinValue, read.GetInt32("Int32"));
        Assert.Equal(long.MaxValue, read["Int64"]);
        Assert.IsType<double>(read["WholeDouble"]);
        Assert.Equal(1.0, read.GetDouble("WholeDouble"));
        Assert.Equal(0.1 + 0.2, read.GetDouble("Double"));
        Assert.True(double.IsNaN(read.GetDouble("NaN")!.Value));
        Assert.Equal(true, read.GetBoolean("True"));
        Assert.Equal(when, read.GetDateTimeOffset("When"));
        Assert.Equal(id, read.GetGuid("Id"));
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, read.GetBinary("Bytes"));
        Assert.Equal("1234.5600", read.GetString("Amount"));
        Assert.NotEqual(default, read.ETag);
        Assert.NotNull(read.Timestamp);
    }

    [Fact]
    public async Task Missing_entities_read_as_null()
    {
        Assert.Null(await table.GetEntityIfExistsAsync(NewPartition(), "nothing"));
    }

    [Fact]
    public async Task Adding_an_existing_entity_is_a_conflict()
    {
        var pk = NewPartition();
        await table.AddEntityAsync(new TableEntity(pk, "r") { ["V"] = 1 });

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity(pk, "r") { ["V"] = 2 }));

        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        Assert.Equal(1, (await table.GetEntityIfExistsAsync(pk, "r"))!.GetInt32("V"));
    }

    [Fact]
    public async Task Upsert_merge_keeps_other_properties_and_replace_drops_them()
    {
        var pk = NewPartition();
        await table.UpsertEntityAsync(new TableEntity(pk, "r") { ["A"] = "a", ["B"] = "b" });

        await table.UpsertEntityAsync(new TableEntity(pk, "r") { ["B"] = "b2" }, merge: true);
        var merged = await table.GetEntityIfExistsAsync(pk, "r");
        await table.UpsertEntityAsync(new TableEntity(pk, "r") { ["C"] = "c" });
        var replaced = await table.GetEntityIfExistsAsync(pk, "r");

        Assert.Equal(("a", "b2"), (merged!.GetString("A"), merged.GetString("B")));
        Assert.Equal((null, null, "c"), (replaced!.GetString("A"), replaced.GetString("B"), replaced.GetString("C")));
    }

    [Fact]
    public async Task Updates_with_a_stale_etag_raise_a_typed_conflict_and_change_nothing()
    {
        var pk = NewPartition();
        var first = await table.AddEntityAsync(new TableEntity(pk, "r") { ["V"] = 1 });
        var second = await table.UpdateEntityAsync(new TableEntity(pk, "r") { ["V"] = 2 }, first);

        var error = await Assert.ThrowsAsync<TableConcurrencyException>(
            () => table.UpdateEntityAsync(new TableEntity(pk, "r") { ["V"] = 3 }, first));
        await Assert.ThrowsAsync<TableConcurrencyException>(() => table.DeleteEntityAsync(pk, "r", first));

        Assert.Equal(412, error.Status);
        Assert.NotEqual(first, second);
        var read = await table.GetEntityIfExistsAsync(pk, "r");
        Assert.Equal(2, read!.GetInt32("V"));
        Assert.Equal(second, read.ETag);
    }

    [Fact]
    public async Task Update_of_a_missing_entity_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => table.UpdateEntityAsync(new TableEntity(NewPartition(), "r"), default));
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task Deletes_with_the_current_etag_or_star_remove_and_missing_is_fine()
    {
        var pk = NewPartition();
        var etag = await table.AddEntityAsync(new TableEntity(pk, "a"));
        await table.AddEntityAsync(new TableEntity(pk, "b"));

        await table.DeleteEntityAsync(pk, "a", etag);
        await table.DeleteEntityAsync(pk, "b");
        await table.DeleteEntityAsync(pk, "never-existed");

        Assert.Empty(await table.QueryAsync(TableFilter.Create($"PartitionKey eq {pk}")).ToListAsync());
    }

    [Fact]
    public async Task Keys_with_quotes_and_encoded_characters_work_for_point_reads_and_queries()
    {
        var pk = NewPartition();
        var rowKeys = new[] { "it's", TableKey.Encode("user/1#?x"), "a b+c%d", "ünï" };
        foreach (var rk in rowKeys)
        {
            await table.UpsertEntityAsync(new TableEntity(pk, rk) { ["K"] = rk });
        }

        foreach (var rk in rowKeys)
        {
            Assert.Equal(rk, (await table.GetEntityIfExistsAsync(pk, rk))!.GetString("K"));
            var matches = await table.QueryAsync(TableFilter.Create($"PartitionKey eq {pk} and RowKey eq {rk}")).ToListAsync();
            Assert.Equal(rk, Assert.Single(matches).RowKey);
        }

        Assert.Throws<ArgumentException>(() => table.GetEntityIfExistsAsync(pk, "a/b").GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Typed_filters_select_the_right_entities()
    {
        var pk = NewPartition();
        var baseTime = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();
        await table.SubmitTransactionAsync(Enumerable.Range(0, 10).Select(i => new TableTransactionAction(
            TableTransactionActionType.Add,
            new TableEntity(pk, i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture))
            {
                ["Big"] = 5_000_000_000L + i,
                ["When"] = baseTime.AddDays(i),
                ["Id"] = ids[i],
                ["Even"] = i % 2 == 0,
                ["Name"] = i == 3 ? "o'brien" : "x",
            })));

        async Task<string[]> Rows(FormattableString filter) =>
            (await table.QueryAsync(TableFilter.Create(filter)).ToListAsync()).Select(e => e.RowKey).ToArray();

        Assert.Equal(["07", "08", "09"], await Rows($"PartitionKey eq {pk} and Big gt {5_000_000_006L}"));
        Assert.Equal(["08", "09"], await Rows($"PartitionKey eq {pk} and When ge {baseTime.AddDays(8)}"));
        Assert.Equal(["04"], await Rows($"PartitionKey eq {pk} and Id eq {ids[4]}"));
        Assert.Equal(["01", "03", "05", "07", "09"], await Rows($"PartitionKey eq {pk} and Even eq {false}"));
        Assert.Equal(["03"], await Rows($"PartitionKey eq {pk} and Name eq {"o'brien"}"));
    }

    [Fact]
    public async Task Queries_follow_continuations_page_by_page_and_can_resume()
    {
        var pk = NewPartition();
        for (var batch = 0; batch < 3; batch++)
        {
            await table.SubmitTransactionAsync(Enumerable.Range(batch * 100, 100).Select(i => new TableTransactionAction(
                TableTransactionActionType.UpsertReplace,
                new TableEntity(pk, i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)) { ["N"] = i, ["Payload"] = "x" })));
        }

        var filter = TableFilter.Create($"PartitionKey eq {pk}");
        var pages = await table.QueryPagesAsync(filter, maxPerPage: 120, select: ["N"]).ToListAsync();

        Assert.Equal([120, 120, 60], pages.Select(p => p.Values.Count));
        Assert.NotNull(pages[0].ContinuationToken);
        Assert.Null(pages[^1].ContinuationToken);
        var all = pages.SelectMany(p => p.Values).ToList();
        Assert.Equal(Enumerable.Range(0, 300), all.Select(e => e.GetInt32("N")!.Value));
        Assert.All(all, e => Assert.False(e.ContainsKey("Payload")));

        var resumed = await table.QueryPagesAsync(filter, maxPerPage: 120, continuationToken: pages[0].ContinuationToken).ToListAsync();
        Assert.Equal(Enumerable.Range(120, 180), resumed.SelectMany(p => p.Values).Select(e => e.GetInt32("N")!.Value));

        var readAhead = await table.QueryPagesAsync(filter, maxPerPage: 120, select: ["N"], readAhead: true).ToListAsync();
        Assert.Equal(pages.Select(p => (p.Values.Count, p.ContinuationToken)), readAhead.Select(p => (p.Values.Count, p.ContinuationToken)));
        Assert.Equal(Enumerable.Range(0, 300), readAhead.SelectMany(p => p.Values).Select(e => e.GetInt32("N")!.Value));
    }

    [Fact]
    public async Task A_transaction_of_100_actions_applies_every_kind_of_operation()
    {
        var pk = NewPartition();
        var etag = await table.AddEntityAsync(new TableEntity(pk, "update-me") { ["V"] = 1, ["Keep"] = "k" });
        await table.AddEntityAsync(new TableEntity(pk, "delete-me"));
        await table.AddEntityAsync(new TableEntity(pk, "merge-me") { ["A"] = "a" });

        var actions = Enumerable.Range(0, 96)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, "new" + i) { ["I"] = i }))
            .Append(new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity(pk, "update-me") { ["V"] = 2 }, etag))
            .Append(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pk, "delete-me")))
            .Append(new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity(pk, "merge-me") { ["B"] = "b" }))
            .Append(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(pk, "upsert-new") { ["C"] = "c" }))
            .ToList();

        var etags = await table.SubmitTransactionAsync(actions);

        Assert.Equal(100, etags.Count);
        var rows = (await table.QueryAsync(TableFilter.Create($"PartitionKey eq {pk}")).ToListAsync()).ToDictionary(e => e.RowKey);
        Assert.Equal(96 + 3, rows.Count);
        Assert.False(rows.ContainsKey("delete-me"));
        Assert.Equal((2, null), (rows["update-me"].GetInt32("V"), rows["update-me"].GetString("Keep")));
        Assert.Equal(("a", "b"), (rows["merge-me"].GetString("A"), rows["merge-me"].GetString("B")));
        Assert.Equal(etags[96], rows["update-me"].ETag);
    }

    [Fact]
    public async Task A_failing_action_rolls_back_the_whole_transaction_and_is_named()
    {
        var pk = NewPartition();
        await table.AddEntityAsync(new TableEntity(pk, "r5") { ["V"] = "original" });
        var actions = Enumerable.Range(0, 10)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, "r" + i) { ["V"] = "batch" }));

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(actions));

        Assert.Equal(5, error.FailedActionIndex);
        Assert.Equal(409, error.Status);
        var rows = await table.QueryAsync(TableFilter.Create($"PartitionKey eq {pk}")).ToListAsync();
        Assert.Equal("original", Assert.Single(rows).GetString("V"));
    }

    [Fact]
    public async Task A_stale_etag_inside_a_transaction_fails_it()
    {
        var pk = NewPartition();
        var old = await table.AddEntityAsync(new TableEntity(pk, "a") { ["V"] = 1 });
        await table.UpdateEntityAsync(new TableEntity(pk, "a") { ["V"] = 2 }, old);

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity(pk, "b")),
            new(TableTransactionActionType.UpdateMerge, new TableEntity(pk, "a") { ["V"] = 3 }, old),
        ]));

        Assert.Equal(1, error.FailedActionIndex);
        Assert.Equal(412, error.Status);
        Assert.Null(await table.GetEntityIfExistsAsync(pk, "b"));
    }

    [Fact]
    public async Task Transactions_that_break_the_rules_are_refused_before_sending()
    {
        var pk = NewPartition();
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(Enumerable.Range(0, 101)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, "r" + i)))));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity(pk, "a")),
            new(TableTransactionActionType.Add, new TableEntity(pk + "x", "b")),
        ]));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity(pk, "a")),
            new(TableTransactionActionType.UpsertMerge, new TableEntity(pk, "a")),
        ]));
        Assert.Empty(await table.QueryAsync(TableFilter.Create($"PartitionKey eq {pk}")).ToListAsync());
    }

    [Fact]
    public async Task A_wrong_account_key_is_an_authentication_failure()
    {
        var wrongKey = TestStorage.ConnectionString.Replace("AccountKey=", "AccountKey=AAAA", StringComparison.Ordinal);
        var service = new TableServiceClient(wrongKey);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => service.GetTableClient(table.Name).GetEntityIfExistsAsync("p", "r"));

        Assert.Equal(403, error.Status);
        Assert.Contains(error.ErrorCode, new[] { "AuthenticationFailed", "AuthorizationFailure" }); // Azure / Azurite
    }
}

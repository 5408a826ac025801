using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Operations;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.MoneyKit;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Operations;

/// <summary>The operator view's reads over rows as the sync engine, the webhook processor and the planner write them.</summary>
public sealed class LinkHealthReaderTests : IAsyncLifetime
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromHours(6);
    private readonly TestClock clock = new();
    private readonly BridgeTables tables = BridgeTables.Connect(TestStorage.ConnectionString, TestStorage.UniqueTableName("ops"));

    public Task InitializeAsync() => tables.EnsureCreatedAsync();

    public Task DisposeAsync() => tables.DeleteAllAsync();

    private LinkHealthReader Reader() => new(tables, clock, Options.Create(new RefreshOptions { StaleAfter = StaleAfter }));

    [Fact]
    public async Task The_list_filters_by_state_error_and_staleness_hides_deleted_links_and_pages_in_link_id_order()
    {
        var now = clock.GetUtcNow();
        await LinkAsync("mk_a_fresh", "connected", synced: now.AddHours(-1));
        await LinkAsync("mk_b_error", "error", "auth_expired", synced: now.AddHours(-1));
        await LinkAsync("mk_c_stale", "connected", synced: now.AddHours(-7));
        await LinkAsync("mk_d_never", "connected", synced: null);
        await LinkAsync("mk_e_gone", "deleted", synced: now.AddHours(-1));
        var reader = Reader();

        Assert.Equal(["mk_a_fresh", "mk_b_error", "mk_c_stale", "mk_d_never"], Ids(await reader.ListAsync(new(null, null, null, 1, 25))));
        Assert.Equal(["mk_e_gone"], Ids(await reader.ListAsync(new("deleted", null, null, 1, 25))));
        Assert.Equal(["mk_b_error"], Ids(await reader.ListAsync(new(null, "auth_expired", null, 1, 25))));
        Assert.Empty(Ids(await reader.ListAsync(new("connected", "auth_expired", null, 1, 25))));
        Assert.Equal(["mk_c_stale", "mk_d_never"], Ids(await reader.ListAsync(new(null, null, true, 1, 25))));
        Assert.Equal(["mk_a_fresh", "mk_b_error"], Ids(await reader.ListAsync(new(null, null, false, 1, 25))));

        var second = await reader.ListAsync(new(null, null, null, 2, 3));
        Assert.Equal((4, 2, 3), (second.Total, second.Page, second.Size));
        Assert.Equal(["mk_d_never"], Ids(second));
        Assert.Empty(Ids(await reader.ListAsync(new(null, null, null, 3, 3))));

        var all = (await reader.ListAsync(new(null, null, null, 1, 25))).Links.ToDictionary(l => l.LinkId);
        Assert.True(all["mk_a_fresh"].Healthy);
        Assert.False(all["mk_b_error"].Healthy);
    }

    [Fact]
    public async Task Lag_is_how_much_newer_MoneyKits_refresh_is_than_the_synced_one_and_the_next_refresh_waits_for_the_later_of_staleness_and_NotBefore()
    {
        var now = clock.GetUtcNow();
        await LinkAsync("mk_behind", "connected", synced: now.AddHours(-2), upstream: now.AddHours(-2).AddMinutes(30));
        await LinkAsync("mk_caught_up", "connected", synced: now.AddHours(-2), upstream: now.AddHours(-2), notBefore: now.AddHours(5));
        await LinkAsync("mk_never_synced", "connected", synced: null, upstream: now.AddMinutes(-10));
        await LinkAsync("mk_unknown", "connected", synced: now.AddHours(-1), upstream: null);
        var links = (await Reader().ListAsync(new(null, null, null, 1, 25))).Links.ToDictionary(l => l.LinkId);

        Assert.Equal(1800, links["mk_behind"].LagSeconds);
        Assert.Equal(0, links["mk_caught_up"].LagSeconds);
        Assert.Equal(600, links["mk_never_synced"].LagSeconds);
        Assert.Null(links["mk_unknown"].LagSeconds);
        Assert.Equal(now.AddHours(-2) + StaleAfter, links["mk_behind"].NextRefreshDue);
        Assert.Equal(now.AddHours(5), links["mk_caught_up"].NextRefreshDue);
        await LinkAsync("mk_in_error", "error", "auth_expired", synced: now.AddHours(-2));
        Assert.Null((await Reader().ListAsync(new("error", null, null, 1, 25))).Links.Single().NextRefreshDue); // the planner refreshes connected links only
    }

    [Fact]
    public async Task The_detail_has_the_products_the_newest_syncs_first_and_the_recent_webhook_events_with_outcome()
    {
        var now = clock.GetUtcNow();
        await LinkAsync("mk_detail", "error", "user_setup_required", synced: now.AddHours(-1), upstream: now.AddHours(-1));
        var partition = LinkRows.Partition("mk_detail");
        for (var i = 0; i < LinkHealthReader.MaxSyncHistory + 5; i++)
        {
            var ended = now.AddMinutes(-100 + i);
            await tables.Links.UpsertEntityAsync(new SyncHistoryRow("Webhook", ended.AddMilliseconds(-250), ended, 1, i, 1, 0, 0, "Completed", null, "req").ToEntity(partition));
        }

        await tables.States.UpsertEntityAsync(new WebhookEventRow("mk_detail", "key-old", "link.state_changed", now.AddHours(-2), 1, "delivery-token-old", 1, "applied", now.AddHours(-2), "connected").ToEntity());
        await tables.States.UpsertEntityAsync(new WebhookEventRow("mk_detail", "key-new", "link.state_changed", now.AddMinutes(-1), 1, "delivery-token-new", 2, "stale", now.AddMinutes(-1), "error", "user_setup_required").ToEntity());
        await tables.States.UpsertEntityAsync(new ProductRefreshRow("mk_detail", "transactions", "completed", now.AddHours(-1), null, now.AddHours(-1), "key-p").ToEntity());

        var detail = (await Reader().GetAsync("mk_detail"))!;
        Assert.Equal(("error", "user_setup_required", false), (detail.Link.State, detail.Link.ErrorCode, detail.Link.Healthy));
        var transactions = Assert.Single(detail.Products, p => p.Product == "transactions");
        Assert.Equal((now.AddHours(-1), "completed"), (transactions.RefreshedAt, transactions.RefreshState));

        Assert.Equal(LinkHealthReader.MaxSyncHistory, detail.SyncHistory.Count);
        Assert.Equal(now.AddMinutes(-100 + LinkHealthReader.MaxSyncHistory + 4), detail.LastSync!.EndedAt);
        Assert.Equal(detail.SyncHistory[0], detail.LastSync);
        Assert.Equal((250, LinkHealthReader.MaxSyncHistory + 4 + 1), (detail.LastSync.DurationMs, detail.LastSync.RowsChanged));
        Assert.True(detail.SyncHistory.Zip(detail.SyncHistory.Skip(1)).All(p => p.First.EndedAt > p.Second.EndedAt));

        Assert.Equal(["stale", "applied"], detail.WebhookEvents.Select(e => e.Outcome));
        Assert.Equal("user_setup_required", detail.WebhookEvents[0].ErrorCode);
        Assert.Null(await Reader().GetAsync("mk_nobody"));
    }

    private static List<string> Ids(LinkHealthPage page) => [.. page.Links.Select(l => l.LinkId)];

    private async Task LinkAsync(string linkId, string state, string? errorCode = null, DateTimeOffset? synced = null, DateTimeOffset? upstream = null, DateTimeOffset? notBefore = null)
    {
        var link = new MoneyKitLink
        {
            LinkId = linkId,
            State = state,
            ErrorCode = errorCode,
            InstitutionId = "instant_bank",
            Products = new MoneyKitLinkProducts { Transactions = new MoneyKitLinkProduct { RefreshedAt = upstream } },
        };
        var row = new LinkState
        {
            LinkId = linkId,
            State = state,
            ErrorCode = errorCode,
            LinkJson = LinkState.SerializeLink(link),
            TransactionsRefreshedAt = synced,
            LastSyncAt = synced,
            DeletedAt = state == "deleted" ? clock.GetUtcNow() : null,
        };
        await tables.States.UpsertEntityAsync(row.ToEntity(), TableUpdateMode.Replace);
        if (state != "deleted")
        {
            var index = new LinkIndexRow { LinkId = linkId, State = state, TransactionsRefreshedAt = synced ?? LinkIndexRow.Never, NotBefore = notBefore ?? LinkIndexRow.Never };
            await tables.LinkIndex.UpsertEntityAsync(index.ToEntity(), TableUpdateMode.Replace);
        }
    }
}

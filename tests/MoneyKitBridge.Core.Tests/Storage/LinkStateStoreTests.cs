using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Storage;

/// <summary>The one owner of link state: its copy, by how stale each kind of read may be, and what drops or refreshes it.</summary>
public sealed class LinkStateStoreTests : IAsyncLifetime
{
    private readonly TestClock clock = new();
    private readonly BridgeTables tables = BridgeTables.Connect(TestStorage.ConnectionString, TestStorage.UniqueTableName("lss"));

    public Task InitializeAsync() => tables.EnsureCreatedAsync();

    public Task DisposeAsync() => tables.DeleteAllAsync();

    private LinkStateStore NewStore() => new(tables, clock, Options.Create(new LinkStateOptions { MaxAge = TimeSpan.FromSeconds(1) }));

    [Fact]
    public async Task GetRecentAsync_ServesTheCopyWithinMaxAge_GetLastKnownAsync_OfAnyAge()
    {
        var store = NewStore();
        var otherInstance = NewStore();
        Assert.True(await store.TryCreateAsync(new LinkState { LinkId = "mk_copy", State = "connected" }));
        var read = (await store.GetAsync("mk_copy"))!;
        await otherInstance.UpdateAsync("mk_copy", s => s with { State = "error" });

        Assert.Equal("connected", (await store.GetRecentAsync("mk_copy"))!.State);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Same(read, await store.GetLastKnownAsync("mk_copy"));
        Assert.Equal("error", (await store.GetRecentAsync("mk_copy"))!.State);
    }

    [Fact]
    public async Task A_write_of_this_process_drops_the_copy_and_a_committed_transaction_becomes_it()
    {
        var store = NewStore();
        Assert.True(await store.TryCreateAsync(new LinkState { LinkId = "mk_write", State = "connected" }));
        var before = (await store.GetAsync("mk_write"))!;
        var replaced = (await store.TryReplaceAsync(before with { ErrorCode = "x" }))!;
        Assert.Equal("x", (await store.GetLastKnownAsync("mk_write"))!.ErrorCode);

        var next = replaced with { State = "error" };
        var etag = await store.SubmitAsync("mk_write", [next.WriteOver(replaced)], next);
        await NewStore().UpdateAsync("mk_write", s => s with { State = "deleted" });

        var copy = (await store.GetLastKnownAsync("mk_write"))!;
        Assert.Equal(("error", etag), (copy.State, copy.ETag));
        Assert.NotEqual(etag, replaced.ETag);
    }

    [Fact]
    public async Task An_unknown_link_is_not_served_from_a_copy_to_a_writer()
    {
        var store = NewStore();
        Assert.Null(await store.GetRecentAsync("mk_later"));
        await NewStore().TryCreateAsync(new LinkState { LinkId = "mk_later", State = "connected" });

        Assert.Null(await store.GetRecentAsync("mk_later")); // within the window
        Assert.Equal("connected", (await store.GetLastKnownAsync("mk_later"))!.State);
    }

    [Fact]
    public void Link_is_parsed_once_per_json_and_equality_ignores_the_parse()
    {
        var state = new LinkState { LinkId = "mk_json", LinkJson = "{\"link_id\":\"mk_json\",\"state\":\"connected\"}" };
        var link = state.Link;
        Assert.Same(link, state.Link);
        Assert.Same(link, (state with { Version = 2 }).Link);
        Assert.Equal(state, new LinkState { LinkId = "mk_json", LinkJson = state.LinkJson });

        var relinked = state with { LinkJson = "{\"link_id\":\"mk_json\",\"state\":\"error\"}" };
        Assert.Equal("error", relinked.Link!.State);
        Assert.NotEqual(state, relinked);
    }
}

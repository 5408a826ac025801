using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Tests.Api;
using MoneyKitBridge.Functions.Tests.Auth;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Functions.Tests.Transactions;

/// <summary><c>GET /api/links/{link_id}/transactions/sync</c> through the real app, against the sandbox and Azurite.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class TransactionSyncEndpointsTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_consumer_reads_the_link_from_an_empty_cursor_to_the_end_and_holds_every_stored_transaction()
    {
        var link = await fixture.RichLinkAsync();
        var held = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        string? cursor = null;
        var pages = 0;
        JsonElement page;
        do
        {
            page = await fixture.GetJsonAsync($"/api/links/{link.LinkId}/transactions/sync?size=100" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)));
            Assert.Empty(page.GetProperty("transactions").GetProperty("updated").EnumerateArray());
            Assert.Empty(page.GetProperty("transactions").GetProperty("removed").EnumerateArray());
            foreach (var created in page.GetProperty("transactions").GetProperty("created").EnumerateArray())
            {
                Assert.True(held.TryAdd(created.GetProperty("transaction_id").GetString()!, created.Clone()), "a transaction came twice");
            }

            Assert.Equal(link.LinkId, page.GetProperty("link").GetProperty("link_id").GetString());
            Assert.Equal(3, page.GetProperty("accounts").GetArrayLength());
            cursor = page.GetProperty("cursor").GetProperty("next").GetString();
            Assert.False(string.IsNullOrEmpty(cursor));
            pages++;
        }
        while (page.GetProperty("has_more").GetBoolean());

        var stored = await StoredIdsAsync(link.LinkId);
        Assert.Equal(stored.Order(StringComparer.Ordinal), held.Keys.Order(StringComparer.Ordinal));
        Assert.True(pages >= RichLink.SeededCount / 100, $"{held.Count} transactions in pages of 100 took {pages} pages");

        // At the end: nothing more, and the cursor stays usable.
        var after = await fixture.GetJsonAsync($"/api/links/{link.LinkId}/transactions/sync?cursor={Uri.EscapeDataString(cursor!)}");
        Assert.Empty(after.GetProperty("transactions").GetProperty("created").EnumerateArray());
        Assert.False(after.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task Size_defaults_to_MoneyKits_50_and_is_capped_at_500()
    {
        var link = await fixture.RichLinkAsync();

        var first = await fixture.GetJsonAsync($"/api/links/{link.LinkId}/transactions/sync");
        var max = await fixture.GetJsonAsync($"/api/links/{link.LinkId}/transactions/sync?size=500");

        Assert.Equal(50, first.GetProperty("transactions").GetProperty("created").GetArrayLength());
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal((await StoredIdsAsync(link.LinkId)).Count, max.GetProperty("transactions").GetProperty("created").GetArrayLength());
        Assert.False(max.GetProperty("has_more").GetBoolean());
    }

    [Theory]
    [InlineData("size=0", "query.size")]
    [InlineData("size=501", "query.size")]
    [InlineData("size=abc", "query.size")]
    [InlineData("size=", "query.size")]
    [InlineData("size=10&size=20", "query.size")]
    [InlineData("cursor=not-a-cursor", "query.cursor")]
    [InlineData("cursor=djE6bGlua18xOjU", "query.cursor")]
    [InlineData("cursor=a&cursor=b", "query.cursor")]
    public async Task Bad_size_or_cursor_is_422_validation_failed_and_calls_nothing(string query, string location)
    {
        var link = await fixture.RichLinkAsync();
        var calls = (await fixture.UpstreamCallsAsync()).Count;

        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{link.LinkId}/transactions/sync?{query}", await fixture.ReaderTokenAsync());

        var body = await MoneyKitErrors.AssertAsync(response, HttpStatusCode.UnprocessableEntity, ApiErrorCodes.ValidationFailed);
        Assert.Equal([location], MoneyKitErrors.Locations(body));
        Assert.Equal(calls, (await fixture.UpstreamCallsAsync()).Count);
    }

    [Fact]
    public async Task A_tampered_cursor_or_one_of_another_link_is_422()
    {
        var link = await fixture.RichLinkAsync();
        var page = await fixture.GetJsonAsync($"/api/links/{link.LinkId}/transactions/sync?size=10");
        var cursor = page.GetProperty("cursor").GetProperty("next").GetString()!;
        var bytes = Base64Url.DecodeFromChars(cursor);
        bytes[^1] ^= 0x20;
        var (otherLink, _) = await fixture.ConnectAsync("feed-other-link");
        var reader = await fixture.ReaderTokenAsync();

        using (var tampered = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{link.LinkId}/transactions/sync?cursor={Base64Url.EncodeToString(bytes)}", reader))
        {
            await MoneyKitErrors.AssertAsync(tampered, HttpStatusCode.UnprocessableEntity, ApiErrorCodes.ValidationFailed);
        }

        using var foreign = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{otherLink}/transactions/sync?cursor={cursor}", reader);
        await MoneyKitErrors.AssertAsync(foreign, HttpStatusCode.UnprocessableEntity, ApiErrorCodes.ValidationFailed);
    }

    [Fact]
    public async Task Unknown_link_is_404_and_deleted_link_is_410()
    {
        var reader = await fixture.ReaderTokenAsync();
        using (var unknown = await fixture.SendAsync(HttpMethod.Get, "/api/links/mk_link_unknown_feed/transactions/sync", reader))
        {
            await MoneyKitErrors.AssertAsync(unknown, HttpStatusCode.NotFound, "link_error.not_found");
        }

        var (linkId, _) = await fixture.ConnectAsync("feed-deleted-link");
        var cursor = (await fixture.GetJsonAsync($"/api/links/{linkId}/transactions/sync")).GetProperty("cursor").GetProperty("next").GetString();
        using (var deleted = await fixture.SendAsync(HttpMethod.Delete, $"/api/links/{linkId}", await fixture.AdminTokenAsync()))
        {
            Assert.True(deleted.IsSuccessStatusCode);
        }

        using var gone = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/transactions/sync?cursor={cursor}", reader);
        await MoneyKitErrors.AssertAsync(gone, HttpStatusCode.Gone, "link_error.deleted");
    }

    [Fact]
    public async Task A_token_without_links_read_is_403_and_no_token_is_401()
    {
        var link = await fixture.RichLinkAsync();
        var writeOnly = await TokenClient.GetTokenAsync(fixture.App, BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret, "links:write");

        using (var forbidden = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{link.LinkId}/transactions/sync", writeOnly))
        {
            await MoneyKitErrors.AssertAsync(forbidden, HttpStatusCode.Forbidden, ApiErrorCodes.Forbidden);
        }

        using var anonymous = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{link.LinkId}/transactions/sync", token: null);
        await MoneyKitErrors.AssertAsync(anonymous, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task A_cursor_behind_the_purged_tombstones_is_400_cursor_expired_and_starting_over_works()
    {
        var (linkId, _) = await fixture.ConnectAsync("feed-expired-cursor");
        var old = (await fixture.GetJsonAsync($"/api/links/{linkId}/transactions/sync?size=1")).GetProperty("cursor").GetProperty("next").GetString();

        // What a purge of tombstones past their retention leaves (the purge itself is covered in Core's feed tests):
        // the horizon of the purged removals at the link's committed feed sequence.
        var tables = BridgeTables.Connect(TestStorage.ConnectionString, fixture.Configuration["Storage:TablePrefix"]!);
        var states = new LinkStateStore(tables, fixture.Clock, Options.Create(new LinkStateOptions { MaxAge = TimeSpan.Zero }));
        await states.UpdateAsync(linkId, s => s with { FeedHorizon = s.FeedSequence });
        fixture.Clock.Advance(TimeSpan.FromSeconds(2)); // past the app's state-row reuse window

        using (var expired = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/transactions/sync?cursor={old}", await fixture.ReaderTokenAsync()))
        {
            var body = await MoneyKitErrors.AssertAsync(expired, HttpStatusCode.BadRequest, ApiErrorCodes.CursorExpired);
            Assert.Contains("Start over", body.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        }

        var restart = await fixture.GetJsonAsync($"/api/links/{linkId}/transactions/sync?size=500");
        Assert.Equal((await StoredIdsAsync(linkId)).Count, restart.GetProperty("transactions").GetProperty("created").GetArrayLength());
    }

    private async Task<List<string>> StoredIdsAsync(string linkId)
    {
        var ids = new List<string>();
        for (var page = 1; ; page++)
        {
            var list = await fixture.GetJsonAsync($"/api/links/{linkId}/transactions?start_date=1900-01-01&end_date=2100-01-01&size=100&page={page}");
            var items = list.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()!).ToList();
            ids.AddRange(items);
            if (items.Count < 100)
            {
                return ids;
            }
        }
    }
}

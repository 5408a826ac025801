using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Tests.Api;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Functions.Tests.Operations;

/// <summary>
/// Issue 16, <c>POST /api/ops/links/{link_id}/resync</c>: scope <c>ops:write</c> and only it, a 202 naming the new
/// generation, the link rebuilt in the background (the app's reads equal MoneyKit's, change feed cursors of the old
/// generation answer 400 <c>cursor_expired</c>), and MoneyKit-shaped 4xx that change nothing for bad input.
/// </summary>
public sealed partial class OpsEndpointsTests
{
    private LinkStateStore States()
    {
        var tables = BridgeTables.Connect(TestStorage.ConnectionString, fixture.Configuration["Storage:TablePrefix"]!);
        return new LinkStateStore(tables, fixture.Clock, Options.Create(new LinkStateOptions { MaxAge = TimeSpan.Zero }));
    }

    private Task<HttpResponseMessage> ResyncAsync(string linkId, string? token, string? body = null) =>
        fixture.SendAsync(HttpMethod.Post, $"/api/ops/links/{linkId}/resync", token, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));

    private async Task<LinkState> SettledAsync(string linkId, long generation) =>
        await Eventually.ValueAsync(
            async () => (await States().GetAsync(linkId))!,
            s => s.Generation == generation && s.ResyncGeneration is null && s.LeaseOwner is null,
            $"link {linkId} to serve generation {generation} with no sync running",
            describe: s => $"generation {s.Generation}, resync {s.ResyncGeneration}, lease {s.LeaseOwner}");

    [Fact]
    public async Task Only_an_ops_write_token_resyncs_and_the_link_is_rebuilt_while_old_feed_cursors_expire()
    {
        var (linkId, _) = await fixture.ConnectAsync("ops-resync-1", beforeExchange: id => fixture.SeedAsync(id, 40, 60));
        await SettledAsync(linkId, 0);
        var feedCursor = (await fixture.GetJsonAsync($"/api/links/{linkId}/transactions/sync?size=500")).GetProperty("cursor").GetProperty("next").GetString();

        using (var anonymous = await ResyncAsync(linkId, token: null))
        {
            await MoneyKitErrors.AssertAsync(anonymous, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
        }

        foreach (var token in new[] { await fixture.ReaderTokenAsync(), await fixture.AdminTokenAsync(), await fixture.SdkTokenAsync(), await fixture.OpsTokenAsync() })
        {
            using var forbidden = await ResyncAsync(linkId, token);
            await MoneyKitErrors.AssertAsync(forbidden, HttpStatusCode.Forbidden, ApiErrorCodes.Forbidden);
        }

        Assert.Equal(0, (await States().GetAsync(linkId))!.Generation);

        // Diverge the snapshot from MoneyKit: a transaction removed upstream that no sync has seen yet.
        var (_, upstream) = await fixture.UpstreamAsync($"links/{linkId}/transactions?start_date=1900-01-01&end_date=2100-01-01&size=100");
        var gone = upstream.GetProperty("transactions").EnumerateArray().First(t => !t.GetProperty("pending").GetBoolean()).GetProperty("transaction_id").GetString();
        using (var delete = await fixture.Sandbox.DeleteAsync(new Uri($"sandbox/links/{linkId}/transactions/{gone}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using (var accepted = await ResyncAsync(linkId, await fixture.OpsAdminTokenAsync(), "{}"))
        {
            var text = await accepted.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            var body = JsonNode.Parse(text)!;
            Assert.Equal(linkId, body["link_id"]!.GetValue<string>());
            Assert.Equal(1, body["resync"]!["generation"]!.GetValue<long>());
            Assert.Equal(0, body["resync"]!["serving_generation"]!.GetValue<long>());
            Assert.Equal("operator", body["resync"]!["reason"]!.GetValue<string>());
            Assert.Equal("scheduled", body["resync"]!["status"]!.GetValue<string>());
        }

        await SettledAsync(linkId, 1);
        fixture.Clock.Advance(TimeSpan.FromSeconds(2)); // past the app's state-row reuse window
        var (_, after) = await fixture.UpstreamAsync($"links/{linkId}/transactions?start_date=1900-01-01&end_date=2100-01-01&size=100");
        var served = await fixture.GetJsonAsync($"/api/links/{linkId}/transactions?start_date=1900-01-01&end_date=2100-01-01&size=100");
        Assert.Equal(
            after.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()).Order(StringComparer.Ordinal),
            served.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(gone, served.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transaction_id").GetString()));

        using var expired = await fixture.SendAsync(HttpMethod.Get, $"/api/links/{linkId}/transactions/sync?cursor={feedCursor}", await fixture.ReaderTokenAsync());
        await MoneyKitErrors.AssertAsync(expired, HttpStatusCode.BadRequest, ApiErrorCodes.CursorExpired);

        // The operator sees the link serving generation 1, no resync due, generation 0 awaiting its purge.
        var snapshot = (await fixture.GetJsonAsync($"/api/ops/links/{linkId}", await fixture.OpsTokenAsync())).GetProperty("snapshot");
        Assert.Equal(1, snapshot.GetProperty("generation").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, snapshot.GetProperty("resync_generation").ValueKind);
        Assert.Equal(0, snapshot.GetProperty("retired_from").GetInt64());
    }

    [Theory]
    [InlineData("{\"full\":true}", 422, "body.full")]
    [InlineData("{\"a\":1,\"b\":2}", 422, "body.a")]
    [InlineData("[]", 400, null)]
    [InlineData("not json", 400, null)]
    public async Task A_resync_body_with_anything_in_it_is_a_MoneyKit_shaped_4xx_and_changes_nothing(string body, int status, string? location)
    {
        var (linkId, _) = await fixture.ConnectAsync("ops-resync-bad-" + Guid.NewGuid().ToString("N")[..8]);
        await SettledAsync(linkId, 0);

        using var response = await ResyncAsync(linkId, await fixture.OpsAdminTokenAsync(), body);

        Assert.Equal(status, (int)response.StatusCode);
        var error = await MoneyKitErrors.AssertAsync(response, (HttpStatusCode)status, status == 422 ? ApiErrorCodes.ValidationFailed : ApiErrorCodes.BadRequest);
        if (location is not null)
        {
            Assert.Contains(location, MoneyKitErrors.Locations(error));
        }

        var state = (await States().GetAsync(linkId))!;
        Assert.Equal((0L, (long?)null), (state.Generation, state.ResyncGeneration));
    }

    [Theory]
    [InlineData("no-such-link")]
    [InlineData("%20")]
    public async Task A_resync_of_an_unknown_link_is_MoneyKits_404(string linkId)
    {
        using var response = await ResyncAsync(linkId, await fixture.OpsAdminTokenAsync());
        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.NotFound, "link_error.not_found");
    }

    [Fact]
    public async Task A_resync_of_a_deleted_link_is_410_and_changes_nothing()
    {
        var (linkId, _) = await fixture.ConnectAsync("ops-resync-deleted");
        await SettledAsync(linkId, 0);
        using (var delete = await fixture.SendAsync(HttpMethod.Delete, $"/api/links/{linkId}", await fixture.AdminTokenAsync()))
        {
            Assert.True(delete.IsSuccessStatusCode);
        }

        using var response = await ResyncAsync(linkId, await fixture.OpsAdminTokenAsync());

        await MoneyKitErrors.AssertAsync(response, HttpStatusCode.Gone, "link_error.deleted");
        Assert.Null((await States().GetAsync(linkId))!.ResyncGeneration);
    }
}

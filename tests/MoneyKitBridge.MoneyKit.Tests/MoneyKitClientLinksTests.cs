namespace MoneyKitBridge.MoneyKit.Tests;

public sealed class MoneyKitClientLinksTests : IDisposable
{
    private readonly MoneyKitBridge.Testing.TestClock clock = new();
    private readonly FakeMoneyKit fake = new();

    public void Dispose() => fake.Dispose();

    [Fact]
    public async Task ListLinks_SendsLimitAndCursor_AndReadsMoneyKitsGetLinksResponse()
    {
        fake.Api = (_, _) => Task.FromResult(FakeMoneyKit.Json(200, """{"links":[{"link_id":"mk_1","created_at":"2026-03-02T12:00:00Z"},{"link_id":"mk_2","created_at":"2026-03-02T12:00:01"}],"next_cursor":"c-2"}"""));
        var client = fake.CreateClient(clock);

        var page = await client.ListLinksAsync("c/1", 1000);

        var request = Assert.Single(fake.ApiRequests);
        Assert.Equal((HttpMethod.Get, "/links", "?limit=1000&cursor=c%2F1"), (request.Method, request.Path, request.Query));
        Assert.Equal(["mk_1", "mk_2"], page.Links.Select(l => l.LinkId));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 12, 0, 1, TimeSpan.Zero), page.Links[1].CreatedAt);
        Assert.True(page.HasMore);
        Assert.Equal("c-2", page.NextCursor);
    }

    [Theory]
    [InlineData("""{"links":[],"next_cursor":null}""")]
    [InlineData("""{"links":[],"next_cursor":""}""")]
    [InlineData("""{"links":[]}""")]
    public async Task ListLinks_LastPage_HasNoMore(string json)
    {
        fake.Api = (_, _) => Task.FromResult(FakeMoneyKit.Json(200, json));
        var client = fake.CreateClient(clock);

        var page = await client.ListLinksAsync(null, 1);

        Assert.Equal("?limit=1", Assert.Single(fake.ApiRequests).Query);
        Assert.Empty(page.Links);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task ListLinks_RefusesLimitsMoneyKitDoesNotServe_AndSurfacesRefusals()
    {
        fake.Api = (_, _) => Task.FromResult(FakeMoneyKit.Error(422, "api_error.request.validation_failed"));
        var client = fake.CreateClient(clock);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ListLinksAsync(null, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ListLinksAsync(null, MoneyKitClient.MaxLinksPage + 1));
        var refused = await Assert.ThrowsAsync<MoneyKitException>(() => client.ListLinksAsync("stale", 10));
        Assert.Equal((422, "api_error.request.validation_failed"), (refused.Status, refused.ErrorCode));
    }
}

namespace MoneyKitBridge.MoneyKit.Tests;

public sealed class MoneyKitClientProductsTests : IDisposable
{
    private readonly MoneyKitBridge.Testing.TestClock clock = new();
    private readonly FakeMoneyKit fake = new();

    public void Dispose() => fake.Dispose();

    private MoneyKitClient Answering(string json, string version = "2023-02-18")
    {
        fake.Api = (_, _) => Task.FromResult(FakeMoneyKit.Json(200, json));
        return fake.CreateClient(clock, new MoneyKitOptions { Version = version });
    }

    [Fact]
    public async Task GetInstitutions_SendsLimitAndCursor_AndKeepsEachInstitutionAsMoneyKitWroteIt()
    {
        var client = Answering("""{"institutions":[{"institution_id":"chase","name":"Chase","country":"US","is_featured":true,"extra":1}],"cursors":{"next":"c-2"}}""");

        var page = await client.GetInstitutionsAsync("c/1", 100);

        var request = Assert.Single(fake.ApiRequests);
        Assert.Equal("/institutions", request.Path);
        Assert.Equal("?limit=100&cursor=c%2F1", request.Query);
        Assert.Equal("c-2", page.Cursors!.Next);
        Assert.Contains("\"extra\":1", Assert.Single(page.Institutions).GetRawText(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetInstitutionsAsync(null, 101));
    }

    [Fact]
    public async Task AccountNumbersAndIdentity_AreAskedInTheStoredVersion_WhateverVersionTheClientIsPinnedTo()
    {
        var client = Answering("""{"accounts":[{"account_id":"a1","numbers":{"ach":[]}}],"link":{"link_id":"mk_1","products":{}}}""", version: "2023-12-14");

        var numbers = await client.GetAccountNumbersAsync("mk_1");
        var identity = await client.GetIdentityAsync("mk_1");

        Assert.Equal(["/links/mk_1/accounts/numbers", "/links/mk_1/identity"], fake.ApiRequests.Select(r => r.Path));
        Assert.All(fake.ApiRequests, r => Assert.Equal(MoneyKitClient.StoredProductVersion, r.Header("MoneyKit-Version")));
        Assert.Equal("a1", Assert.Single(numbers.Accounts).GetProperty("account_id").GetString());
        Assert.Equal("mk_1", identity.Link!.LinkId);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.MoneyKit.Tests;

public sealed class MoneyKitServiceCollectionExtensionsTests : IDisposable
{
    private readonly FakeMoneyKit fake = new()
    {
        Api = (_, _) => Task.FromResult(FakeMoneyKit.Json(200, """{"link_id":"mk_1","state":"connected"}""")),
    };

    public void Dispose() => fake.Dispose();

    private ServiceProvider Build(Action<MoneyKitOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new TestClock());
        services.AddSingleton<MoneyKitCredentialResolver>((_, _) => ValueTask.FromResult(new MoneyKitCredentials("di-client", "di-secret")));
        services.AddMoneyKitClient(configure);
        services.AddHttpClient(MoneyKitServiceCollectionExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => fake);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task AddMoneyKitClient_RegistersOneSharedClient_OverTheNamedHttpClient()
    {
        using var provider = Build(o => o.BaseUrl = new Uri(FakeMoneyKit.BaseUrl));

        var first = provider.GetRequiredService<MoneyKitClient>();
        var second = provider.GetRequiredService<MoneyKitClient>();
        await first.GetLinkAsync("mk_1");
        await second.GetLinkAsync("mk_1");

        Assert.Same(first, second);
        var tokenRequest = Assert.Single(fake.TokenRequests);
        Assert.Equal("di-client", FakeMoneyKit.ParseForm(tokenRequest.Body)["client_id"]);
        Assert.Equal(2, fake.ApiRequests.Count);
    }

    [Fact]
    public void AddMoneyKitClient_WithInvalidOptions_FailsWhenTheClientIsResolved()
    {
        using var provider = Build(o => o.Version = "");

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<MoneyKitClient>());

        Assert.Contains(ex.Failures, f => f.Contains("BaseUrl", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("Version", StringComparison.Ordinal));
    }
}

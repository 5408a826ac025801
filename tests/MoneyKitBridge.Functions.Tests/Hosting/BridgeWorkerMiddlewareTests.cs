using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// The worker middleware builds its ASP.NET Core pipeline (the app's own middleware classes) from the services worker
/// mode registers — without the web host standalone mode has — so a missing registration shows here, not at the first
/// request under the Functions host.
/// </summary>
public sealed class BridgeWorkerMiddlewareTests
{
    [Fact]
    public async Task Builds_its_pipeline_from_the_worker_mode_services()
    {
        using var factory = new BridgeAppFactory();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(factory.Settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        WorkerHosting.AddWorkerServices(services, configuration);
        await using var provider = services.BuildServiceProvider();

        var middleware = new BridgeWorkerMiddleware(provider);

        Assert.NotNull(middleware);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MoneyKitBridge.MoneyKit;

/// <summary>Registers <see cref="MoneyKitClient"/>.</summary>
public static class MoneyKitServiceCollectionExtensions
{
    /// <summary>
    /// Name of the <see cref="HttpClient"/> the client uses. To swap the transport (e.g. the in-process sandbox):
    /// <c>services.AddHttpClient(HttpClientName).ConfigurePrimaryHttpMessageHandler(...)</c> after this registration.
    /// </summary>
    public const string HttpClientName = "MoneyKit";

    /// <summary>
    /// Registers <see cref="MoneyKitClient"/> as a singleton (one token cache per process) over a named
    /// <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/>, plus validation of <see cref="MoneyKitOptions"/>
    /// at start. The host must register a <see cref="MoneyKitCredentialResolver"/> and bind the options (section
    /// <see cref="MoneyKitOptions.SectionName"/>) or pass <paramref name="configure"/>. A <see cref="TimeProvider"/>
    /// is added (the system clock) unless one is registered. Binding example:
    /// <c>services.AddMoneyKitClient(o =&gt; configuration.GetSection(MoneyKitOptions.SectionName).Bind(o))</c>.
    /// </summary>
    public static IServiceCollection AddMoneyKitClient(this IServiceCollection services, Action<MoneyKitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MoneyKitOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MoneyKitOptions>, MoneyKitOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new MoneyKitClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<MoneyKitCredentialResolver>(),
            sp.GetRequiredService<IOptions<MoneyKitOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<MoneyKitClient>>() ?? NullLogger<MoneyKitClient>.Instance));

        // The client lives for the process: rotate connections in the handler instead of rotating handlers.
        services.AddHttpClient(HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MoneyKitBridge.Functions.Logging;

/// <summary>
/// The app's <see cref="ILoggerFactory"/>: the standard factory (every registered provider, filters from
/// configuration) behind <see cref="RedactingLogger"/>, so no log line of the app or the framework — ASP.NET Core's
/// "Request starting ... ?access_token=..." included — carries a credential, whatever the client sent.
/// </summary>
public sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    /// <summary>Replaces the registered <see cref="ILoggerFactory"/> with the redacting one.</summary>
    public static IServiceCollection AddTo(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>()))));
        return services;
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <inheritdoc />
    public void Dispose() => inner.Dispose();
}

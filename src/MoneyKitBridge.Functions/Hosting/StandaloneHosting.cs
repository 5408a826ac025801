using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// Standalone mode (no Functions host): a plain ASP.NET Core app that listens where it is told (<c>--urls</c>,
/// <c>ASPNETCORE_URLS</c>), runs the app's middleware and maps the handlers of <see cref="BridgeRoutes"/>; the timer
/// functions are fired by <see cref="TimerScheduler"/> from their schedules and are never HTTP routes.
/// </summary>
public static class StandaloneHosting
{
    /// <summary>
    /// Creates the builder with Kestrel's limits, <see cref="TimeProvider"/>, credential-free logging and the
    /// standalone timer services (registry, runner, scheduler and its options).
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.ConfigureKestrel(RequestLimitsMiddleware.ConfigureKestrel);
        builder.Services.TryAddSingleton(TimeProvider.System);
        Logging.RedactingLoggerFactory.AddTo(builder.Services);
        builder.Services.TryAddSingleton<TimerFunctionRegistry>();
        builder.Services.TryAddSingleton<TimerJobRunner>();
        builder.Services.AddOptions<StandaloneOptions>().BindConfiguration(StandaloneOptions.Section).ValidateOnStart();
        builder.Services.AddHostedService<TimerScheduler>();
        return builder;
    }

    /// <summary>Adds the response headers, request limits, error handling and routing, in that order.</summary>
    public static WebApplication UseBridgeHosting(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<ResponseHeadersMiddleware>();
        app.UseMiddleware<RequestLimitsMiddleware>();
        Errors.ErrorHandling.UseBridgeErrorHandling(app);
        app.UseRouting();
        return app;
    }
}

using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// Creates the web application so that it runs both as an Azure Functions custom handler and standalone.
/// Under the Functions host (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set) Kestrel listens only on
/// <c>127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT</c>, overriding any inherited <c>ASPNETCORE_URLS</c>/<c>urls</c>,
/// and the content root is the executable's folder, not an inherited <c>ASPNETCORE_CONTENTROOT</c>.
/// Standalone it listens where it is told (<c>--urls</c>, <c>ASPNETCORE_URLS</c>).
/// </summary>
public static class CustomHandlerHosting
{
    /// <summary>The variable through which the Functions host passes the handler's port.</summary>
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>Creates the builder with the binding rules above, <see cref="TimeProvider"/> and credential-free logging.</summary>
    /// <exception cref="BridgeConfigurationException">The port variable is set but not a TCP port.</exception>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var port = ParsePort(Environment.GetEnvironmentVariable(PortVariable));
        var builder = port is null
            ? WebApplication.CreateBuilder(args)
            : WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (port is { } customHandlerPort)
        {
            // An explicit Listen wins over urls/ASPNETCORE_URLS/ASPNETCORE_HTTP_PORTS from the inherited environment.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, customHandlerPort));
        }

        builder.WebHost.ConfigureKestrel(RequestLimitsMiddleware.ConfigureKestrel);

        builder.Services.TryAddSingleton(TimeProvider.System);
        Logging.RedactingLoggerFactory.AddTo(builder.Services);
        return builder;
    }

    /// <summary>
    /// Whether the app runs under the Functions host (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set, as configuration or
    /// environment variable). Only then are timer functions reachable over HTTP.
    /// </summary>
    public static bool IsCustomHandler(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[PortVariable]);
    }

    /// <summary>
    /// The port from <paramref name="value"/>, or <see langword="null"/> when the variable is unset (standalone).
    /// </summary>
    /// <exception cref="BridgeConfigurationException">The value is set but not a number in 1..65535.</exception>
    public static int? ParsePort(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new BridgeConfigurationException(
                $"{PortVariable} must be a TCP port number between 1 and 65535 (got '{Truncate(value)}').");
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

    /// <summary>Maps <c>GET /</c>, the readiness probe the Functions host polls before sending work.</summary>
    public static IEndpointConventionBuilder MapReadiness(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapGet("/", () => TypedResults.Ok()).ExcludeFromDescription();
    }

    private static string Truncate(string value) => value.Length <= 20 ? value : value[..20] + "...";
}

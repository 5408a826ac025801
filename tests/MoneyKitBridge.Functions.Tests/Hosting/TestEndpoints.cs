using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// Endpoints that exist only in tests, added to the real app's pipeline: protected routes in the shape later
/// feature groups will use, routes that fail in the ways the error handling must cover, and a dummy timer job.
/// </summary>
public sealed class TestEndpoints : IStartupFilter
{
    public const string TimerName = "TestTimer";

    public static List<TimerJobContext> TimerRuns { get; } = [];

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        app.UseRouting();
        app.UseBridgeAuth();
        app.UseEndpoints(endpoints =>
        {
            var read = endpoints.MapGroup("/api/test/read").RequireBridgeScope(BridgeScopes.LinksRead);
            read.MapGet("/", (HttpContext context) => TypedResults.Ok(new Echo(context.GetBridgeClientId() ?? "")));
            var write = endpoints.MapGroup("/api/test/write").RequireBridgeScope(BridgeScopes.LinksWrite);
            write.MapPost("/", (Echo body, HttpContext context) => TypedResults.Ok(new Echo(context.GetBridgeClientId() + ":" + body.Value)));
            endpoints.MapGet("/api/test/throw", string () => throw new InvalidOperationException("boom: internal detail Server=db;Password=hunter2"));
            endpoints.MapGet("/api/test/paged", (int page) => TypedResults.Ok(new Echo(page.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            endpoints.MapPost("/api/test/body", (Echo body) => TypedResults.Ok(body));
        });

        // Registered with the standalone scheduler the way the app registers RefreshStaleLinks: no route.
        app.ApplicationServices.GetRequiredService<TimerFunctionRegistry>().Add(TimerFunction.FromSettings(
            app.ApplicationServices.GetRequiredService<IConfiguration>(), TimerName, "0 0 * * * *", (context, _) =>
            {
                lock (TimerRuns)
                {
                    TimerRuns.Add(context);
                }

                context.Log("dummy job ran");
                return Task.CompletedTask;
            }));
    };

    public sealed record Echo(string Value);
}

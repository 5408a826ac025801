using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Errors;
using NCrontab;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// Timer functions: the Functions host invokes them as <c>POST /{Name}</c> with a <see cref="TimerInvocation"/>
/// envelope, on the loopback port only it can reach; standalone, <see cref="TimerScheduler"/> fires the same job from
/// its schedule and the route is not mapped at all, so no caller can start a job.
/// </summary>
public static class TimerFunctionEndpoints
{
    private const int MaxEnvelopeBytes = 64 * 1024;

    /// <summary>Registers the timer services (registry, runner, standalone scheduler and its options).</summary>
    public static IServiceCollection AddTimerFunctions(this IServiceCollection services)
    {
        services.TryAddSingleton<TimerFunctionRegistry>();
        services.TryAddSingleton<TimerJobRunner>();
        services.AddOptions<StandaloneOptions>().BindConfiguration(StandaloneOptions.Section).ValidateOnStart();
        services.AddHostedService<TimerScheduler>();
        return services;
    }

    /// <summary>
    /// Maps timer function <paramref name="name"/>. Its schedule is setting <c>{name}__Schedule</c> or
    /// <paramref name="defaultSchedule"/> (6-field NCRONTAB with seconds, e.g. <c>0 */15 * * * *</c>).
    /// </summary>
    /// <returns>The route the host invokes, or <see langword="null"/> standalone (no route: only the schedule fires it).</returns>
    /// <exception cref="BridgeConfigurationException">The schedule is not a valid 6-field NCRONTAB expression.</exception>
    public static RouteHandlerBuilder? MapTimerFunction(
        this IEndpointRouteBuilder endpoints,
        string name,
        string defaultSchedule,
        Func<TimerJobContext, CancellationToken, Task> job)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(job);
        var configuration = endpoints.ServiceProvider.GetRequiredService<IConfiguration>();
        var scheduleKey = $"{name}:Schedule";
        var expression = configuration[scheduleKey] is { Length: > 0 } configured ? configured : defaultSchedule;
        var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            ?? throw new BridgeConfigurationException(
                $"{name}__Schedule must be a 6-field NCRONTAB expression with seconds, e.g. '0 */15 * * * *' (got '{expression}').");
        var function = new TimerFunction(name, schedule, job);
        endpoints.ServiceProvider.GetRequiredService<TimerFunctionRegistry>().Add(function);
        if (!CustomHandlerHosting.IsCustomHandler(configuration))
        {
            return null;
        }

        return endpoints.MapPost("/" + name, (HttpContext context, TimerJobRunner runner) => InvokeAsync(context, runner, function))
            .WithName(name)
            .ExcludeFromDescription();
    }

    private static async Task<IResult> InvokeAsync(HttpContext context, TimerJobRunner runner, TimerFunction function)
    {
        var (invocation, error) = await RequestBody.ReadAsync(context, HostingJsonContext.Default.TimerInvocation, MaxEnvelopeBytes);
        if (error is not null)
        {
            return error;
        }

        if (invocation?.Data is null)
        {
            return ApiErrorResults.Create(
                StatusCodes.Status400BadRequest, ApiErrorCodes.BadRequest, "The timer envelope must be an object with 'Data'.");
        }

        var trigger = invocation.Data.Values.FirstOrDefault(value => value is not null);
        var logs = await runner.RunAsync(function, trigger?.IsPastDue ?? false, context.RequestAborted);
        var result = new TimerInvocationResult([], logs, null);
        return TypedResults.Json(result, HostingJsonContext.Default.TimerInvocationResult);
    }
}

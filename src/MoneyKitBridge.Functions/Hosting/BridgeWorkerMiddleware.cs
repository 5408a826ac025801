using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using MoneyKitBridge.Functions.Auth;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// Worker mode: ASP.NET Core middleware, endpoint filters and endpoint metadata do not run in the isolated worker, so
/// this one worker middleware runs the app's own ASP.NET Core middleware — the very classes standalone mode uses —
/// around each HTTP function: <see cref="ResponseHeadersMiddleware"/> (<c>X-Request-Id</c>, <c>MoneyKit-Version</c>),
/// <see cref="RequestLimitsMiddleware"/>, <see cref="ErrorHandling"/> and <see cref="BridgeAuthMiddleware"/> (bearer,
/// scope and rate limit, from the route's <see cref="BridgeRoutes"/> entry set as the endpoint), then the route's
/// checks (<see cref="LinkIdFilter.Check"/>, <see cref="MoneyKitOutageFilter.Unavailable"/>) and the function, whose
/// <see cref="IResult"/> it executes inside that pipeline. Timer invocations pass straight through.
/// </summary>
public sealed class BridgeWorkerMiddleware : IFunctionsWorkerMiddleware
{
    private static readonly object InvocationKey = new();
    private readonly RequestDelegate pipeline;

    /// <summary>Builds the pipeline once from the worker's services.</summary>
    public BridgeWorkerMiddleware(IServiceProvider services)
    {
        var app = new ApplicationBuilder(services);
        app.UseMiddleware<ResponseHeadersMiddleware>();
        app.UseMiddleware<RequestLimitsMiddleware>();
        app.UseBridgeErrorHandling();
        app.UseMiddleware<BridgeAuthMiddleware>();
        app.Run(RunFunctionAsync);
        pipeline = app.Build();
    }

    /// <inheritdoc />
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is not { } http || !BridgeRoutes.TryGet(context.FunctionDefinition.Name, out var route))
        {
            await next(context);
            return;
        }

        http.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(route.Metadata), route.Name));
        http.Items[InvocationKey] = new Invocation(context, next, route);
        await pipeline(http);

        // The response is written (by the function's result or by a refusal before it ran): nothing is left for the worker.
        InvocationResultOf(context).Value = Results.Empty;
    }

    /// <summary>
    /// The slot of the function's return value. The worker keeps it in an internal bindings feature, reached through
    /// <see cref="FunctionContextBindingFeatureExtensions.GetInvocationResult(FunctionContext)"/>; the worker never
    /// registers an <see cref="InvocationResult"/> feature itself, so one found in <see cref="FunctionContext.Features"/>
    /// comes from a <see cref="FunctionContext"/> that is not the worker's (a test double) and is used instead.
    /// </summary>
    internal static InvocationResult InvocationResultOf(FunctionContext context) =>
        context.Features.Get<InvocationResult>() ?? context.GetInvocationResult();

    private static async Task RunFunctionAsync(HttpContext http)
    {
        var (context, next, route) = (Invocation)http.Items[InvocationKey]!;
        var result = route.ChecksLinkId ? LinkIdFilter.Check(BindingValue(context, "link_id")) : null;
        if (result is null)
        {
            try
            {
                await next(context);
                result = InvocationResultOf(context).Value as IResult;
            }
            catch (MoneyKitException e) when (route.CallsMoneyKit && MoneyKitOutageFilter.IsOutage(e))
            {
                result = MoneyKitOutageFilter.Unavailable(http, e);
            }
        }

        // Executed here, inside the error handling and header middleware.
        if (result is not null)
        {
            await result.ExecuteAsync(http);
        }
    }

    private static object? BindingValue(FunctionContext context, string name) =>
        context.BindingContext.BindingData.TryGetValue(name, out var value) ? value : null;

    private sealed record Invocation(FunctionContext Context, FunctionExecutionDelegate Next, BridgeRoute Route);
}

using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Auth;
using MoneyKit.Sandbox.Connect;
using MoneyKit.Sandbox.Control;
using MoneyKit.Sandbox.Institutions;
using MoneyKit.Sandbox.Links;
using MoneyKit.Sandbox.Products;
using MoneyKit.Sandbox.Transactions;
using MoneyKit.Sandbox.Users;
using MoneyKit.Sandbox.Webhooks;

namespace MoneyKit.Sandbox;

/// <summary>Registers the sandbox's services and maps its pipeline; shared by <see cref="SandboxServer"/> and the standalone host.</summary>
internal static class SandboxApplication
{
    public static IServiceCollection AddMoneyKitSandbox(this IServiceCollection services, SandboxOptions options, TimeProvider time)
    {
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(time);
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<LinkRegistry>();
        services.AddSingleton<WebhookSigningKeys>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<LinkWebhooks>();
        services.AddSingleton<ProductRefresher>();
        services.AddSingleton<LinkSessions>();
        services.AddSingleton<ConnectFlow>();
        services.AddSingleton<RequestLog>();
        services.AddSingleton<FaultRules>();
        return services;
    }

    public static WebApplication UseMoneyKitSandbox(this WebApplication app)
    {
        app.UseStatusCodePages(context =>
        {
            var status = context.HttpContext.Response.StatusCode;
            var code = status switch
            {
                404 => "api_error.not_found",
                405 => "api_error.method_not_allowed",
                415 => "api_error.request.unsupported_media_type",
                _ => "api_error.request.failed",
            };
            return context.HttpContext.Response.WriteAsJsonAsync(
                new MoneyKitError(code, $"The request failed with status {status}.", null), SandboxJsonContext.Default.MoneyKitError);
        });
        app.Use(SandboxPipeline.InvokeAsync);
        app.MapGet("/", () => TypedResults.Ok()).ExcludeFromDescription();
        app.MapJwksEndpoint();
        app.MapAuthEndpoints();
        app.MapControlEndpoints();
        app.MapConnectEndpoints();
        app.MapConnectPages();

        var api = app.MapGroup(string.Empty).AddEndpointFilter<ApiAuthenticationFilter>();
        api.MapInstitutionEndpoints();
        api.MapLinkSessionEndpoints();
        api.MapLinkEndpoints();
        api.MapLinkListEndpoint();
        api.MapAccountEndpoints();
        api.MapTransactionEndpoints();
        api.MapUserEndpoints();
        api.MapProductEndpoints();
        api.MapWebhookEndpoints();
        return app;
    }
}

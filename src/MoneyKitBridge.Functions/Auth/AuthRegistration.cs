using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MoneyKitBridge.Functions.Secrets;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>Registers client authentication: options, client store, tokens, rate limiter and required secrets.</summary>
public static class AuthRegistration
{
    /// <summary>Adds the auth services; <c>Auth:Clients</c> and <c>Auth:SigningKey</c> become required secrets.</summary>
    public static IServiceCollection AddBridgeAuth(this IServiceCollection services)
    {
        services.AddOptions<BridgeAuthOptions>()
            .BindConfiguration(BridgeAuthOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<BridgeClientStore>();
        services.TryAddSingleton<BridgeAccessTokens>();
        services.TryAddSingleton<ClientRateLimiter>();
        services.AddRequiredSecret(BridgeAccessTokens.SigningKeySecret, BridgeAccessTokens.ValidateSigningKey);
        services.AddRequiredSecret(BridgeClientStore.SecretName, BridgeClientStore.Validate);
        return services;
    }

    /// <summary>Enforces <see cref="BridgeAuthorization.RequireBridgeScope{TBuilder}"/> (call after routing).</summary>
    public static IApplicationBuilder UseBridgeAuth(this IApplicationBuilder app) => app.UseMiddleware<BridgeAuthMiddleware>();
}

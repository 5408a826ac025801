namespace MoneyKit.Sandbox.Auth;

/// <summary>Rejects API calls without a valid token or client key pair (401, MoneyKit body).</summary>
internal sealed class ApiAuthenticationFilter(AccessTokens tokens) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var (clientId, error) = tokens.Authenticate(context.HttpContext.Request);
        if (error is not null)
        {
            return error;
        }

        ApiCaller.Set(context.HttpContext, clientId!);
        return await next(context);
    }
}

using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MoneyKit.Sandbox.Api;

namespace MoneyKit.Sandbox.Auth;

/// <summary>Issues and checks bearer tokens; also accepts <c>X-Client-Id</c>/<c>X-Client-Secret</c> on API calls.</summary>
internal sealed class AccessTokens(SandboxOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, IssuedToken> tokens = new(StringComparer.Ordinal);

    private sealed record IssuedToken(string ClientId, DateTimeOffset ExpiresAt);

    public SandboxApp? FindApp(string? clientId, string? clientSecret)
    {
        if (clientId is null || clientSecret is null)
        {
            return null;
        }

        var app = options.Apps.FirstOrDefault(a => string.Equals(a.ClientId, clientId, StringComparison.Ordinal));
        return app is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(app.ClientSecret), Encoding.UTF8.GetBytes(clientSecret))
            ? app
            : null;
    }

    public bool IsKnownClient(string? clientId) =>
        clientId is not null && options.Apps.Any(a => string.Equals(a.ClientId, clientId, StringComparison.Ordinal));

    public TokenResponse Issue(SandboxApp app)
    {
        var token = "mk_at_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        tokens[token] = new IssuedToken(app.ClientId, time.GetUtcNow() + options.AccessTokenLifetime);
        return new TokenResponse(token, "bearer", (int)options.AccessTokenLifetime.TotalSeconds);
    }

    /// <summary>Every issued token expires now (answers <c>api_error.auth.expired_access_token</c> from here on).</summary>
    public int ExpireAll()
    {
        var now = time.GetUtcNow();
        var count = 0;
        foreach (var (token, issued) in tokens)
        {
            if (issued.ExpiresAt > now)
            {
                tokens[token] = issued with { ExpiresAt = now };
                count++;
            }
        }

        return count;
    }

    /// <summary>The calling app, from a bearer token or the X-Client-Id/X-Client-Secret pair.</summary>
    public (string? ClientId, ErrorResult? Error) Authenticate(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            if (!tokens.TryGetValue(token, out var issued))
            {
                return (null, ErrorResult.Unauthorized());
            }

            return issued.ExpiresAt <= time.GetUtcNow() ? (null, ErrorResult.ExpiredAccessToken()) : (issued.ClientId, null);
        }

        var app = FindApp(request.Headers["X-Client-Id"].FirstOrDefault(), request.Headers["X-Client-Secret"].FirstOrDefault());
        return app is null ? (null, ErrorResult.Unauthorized()) : (app.ClientId, null);
    }
}

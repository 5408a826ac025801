using System.Collections.Concurrent;
using Azure.Core;

namespace MoneyKitBridge.Functions.Tests.Secrets;

/// <summary>Hands out the fake vault's token and records what the SDK asked for.</summary>
public sealed class TestCredential : TokenCredential
{
    public ConcurrentQueue<TokenRequestContext> Requests { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Requests.Enqueue(requestContext);
        return new AccessToken(FakeKeyVault.AccessToken, DateTimeOffset.MaxValue);
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

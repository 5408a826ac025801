namespace MoneyKitBridge.MoneyKit;

/// <summary>The application's MoneyKit API key. Never logged; <see cref="ToString"/> hides the secret.</summary>
/// <param name="ClientId">The MoneyKit client id.</param>
/// <param name="ClientSecret">The MoneyKit client secret.</param>
public sealed record MoneyKitCredentials(string ClientId, string ClientSecret)
{
    /// <summary>Prints the client id only.</summary>
    public override string ToString() => $"MoneyKitCredentials {{ ClientId = {ClientId} }}";
}

/// <summary>
/// Supplies the MoneyKit client credentials (configuration, Key Vault, ...). Called before each token request;
/// <paramref name="forceReload"/> is <see langword="true"/> after MoneyKit rejected the credentials
/// (<c>api_error.auth.unauthorized</c>): the secret may have rotated, so bypass any cache and read it again.
/// </summary>
public delegate ValueTask<MoneyKitCredentials> MoneyKitCredentialResolver(bool forceReload, CancellationToken cancellationToken);

using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.Secrets;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Functions.Tests.Secrets;

public sealed class KeyVaultSecretProviderTests : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    private readonly TestClock clock = new();
    private readonly TestCredential credential = new();
    private FakeKeyVault vault = null!;
    private KeyVaultSecretProvider provider = null!;

    public async Task InitializeAsync()
    {
        vault = await FakeKeyVault.StartAsync();
        var client = new SecretClient(vault.VaultUri, credential, vault.CreateClientOptions());
        provider = new KeyVaultSecretProvider(client, Options.Create(new KeyVaultOptions { Uri = vault.VaultUri, CacheTtl = Ttl }), clock);
    }

    public async Task DisposeAsync() => await vault.DisposeAsync();

    [Fact]
    public async Task Reads_a_secret_through_the_challenge_with_the_mapped_name()
    {
        vault.SetSecret("MoneyKit--ClientSecret", "mk-secret-1");

        var value = await provider.GetSecretAsync("MoneyKit:ClientSecret", CancellationToken.None);

        Assert.Equal("mk-secret-1", value);
        var requests = vault.Requests.ToList();
        // The Key Vault client caches challenges process-wide per authority: when an earlier fake vault of this run had
        // the same loopback port, the first request already carries the token instead of being challenged.
        Assert.True(requests[0].Authorization is null || requests.Count == 1, "an unchallenged first request is answered, not retried");
        Assert.Equal("Bearer " + FakeKeyVault.AccessToken, requests[^1].Authorization);
        Assert.Equal("/secrets/MoneyKit--ClientSecret", requests[^1].Path.TrimEnd('/'));
        Assert.Contains("api-version=", requests[^1].Query, StringComparison.Ordinal);
        var tokenRequest = Assert.Single(credential.Requests);
        Assert.Equal(["https://vault.azure.net/.default"], tokenRequest.Scopes);
        Assert.Equal(FakeKeyVault.TenantId, tokenRequest.TenantId);
    }

    [Fact]
    public async Task Serves_from_cache_within_the_ttl_and_sees_a_rotation_after_it()
    {
        vault.SetSecret("Auth--SigningKey", "old");
        Assert.Equal("old", await provider.GetSecretAsync("Auth:SigningKey", CancellationToken.None));

        vault.SetSecret("Auth--SigningKey", "new");
        clock.Advance(Ttl - TimeSpan.FromSeconds(1));
        Assert.Equal("old", await provider.GetSecretAsync("Auth:SigningKey", CancellationToken.None));
        Assert.Equal(1, vault.ReadsOf("Auth--SigningKey"));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("new", await provider.GetSecretAsync("Auth:SigningKey", CancellationToken.None));
        Assert.Equal(2, vault.ReadsOf("Auth--SigningKey"));
    }

    [Fact]
    public async Task Reload_reads_the_vault_at_once_and_refreshes_the_cache()
    {
        vault.SetSecret("MoneyKit--ClientSecret", "before-rotation");
        Assert.Equal("before-rotation", await provider.GetSecretAsync("MoneyKit:ClientSecret", CancellationToken.None));
        vault.SetSecret("MoneyKit--ClientSecret", "after-rotation");

        Assert.Equal("after-rotation", await provider.ReloadSecretAsync("MoneyKit:ClientSecret", CancellationToken.None));
        Assert.Equal("after-rotation", await provider.GetSecretAsync("MoneyKit:ClientSecret", CancellationToken.None));
        Assert.Equal(2, vault.ReadsOf("MoneyKit--ClientSecret"));
    }

    [Fact]
    public async Task A_missing_secret_is_null_and_a_required_one_fails_naming_it()
    {
        Assert.Null(await provider.GetSecretAsync("MoneyKit:ClientId", CancellationToken.None));

        var error = await Assert.ThrowsAsync<BridgeConfigurationException>(
            async () => await provider.GetRequiredSecretAsync("MoneyKit:ClientId", CancellationToken.None));
        Assert.Contains("'MoneyKit:ClientId'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'MoneyKit--ClientId'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_created_after_a_miss_appears_after_the_ttl()
    {
        Assert.Null(await provider.GetSecretAsync("MoneyKit:ClientId", CancellationToken.None));
        vault.SetSecret("MoneyKit--ClientId", "client-1");

        clock.Advance(Ttl);

        Assert.Equal("client-1", await provider.GetSecretAsync("MoneyKit:ClientId", CancellationToken.None));
    }

    [Fact]
    public async Task Start_up_check_names_missing_and_malformed_secrets_without_their_values()
    {
        vault.SetSecret("Auth--SigningKey", "dG9vLXNob3J0");
        var check = new RequiredSecretsCheck(provider, [
            new RequiredSecret("Auth:SigningKey", Functions.Auth.BridgeAccessTokens.ValidateSigningKey),
            new RequiredSecret("Auth:Clients"),
        ]);

        var error = await Assert.ThrowsAsync<BridgeConfigurationException>(() => check.StartAsync(CancellationToken.None));

        Assert.Contains("'Auth:Clients' is missing (Key Vault secret 'Auth--Clients'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Auth:SigningKey' is invalid", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("dG9vLXNob3J0", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("Auth:SigningKey", "Auth--SigningKey")]
    [InlineData("MoneyKit:ClientSecret", "MoneyKit--ClientSecret")]
    [InlineData("Plain", "Plain")]
    public void Maps_configuration_names_to_vault_names_and_back(string name, string vaultName)
    {
        Assert.Equal(vaultName, KeyVaultSecretProvider.ToVaultName(name));
        Assert.Equal(name, KeyVaultSecretProvider.FromVaultName(vaultName));
    }

    [Theory]
    [InlineData("Auth_SigningKey")]
    [InlineData("Auth:Signing Key")]
    [InlineData("Auth.SigningKey")]
    public void Rejects_names_key_vault_cannot_hold(string name) =>
        Assert.Throws<ArgumentException>(() => KeyVaultSecretProvider.ToVaultName(name));
}

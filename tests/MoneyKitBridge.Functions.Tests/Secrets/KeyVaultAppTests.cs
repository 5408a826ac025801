using System.Net;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Secrets;
using MoneyKitBridge.Functions.Tests.Auth;
using MoneyKitBridge.Functions.Tests.Hosting;

namespace MoneyKitBridge.Functions.Tests.Secrets;

/// <summary>The whole app with <c>KeyVault__Uri</c> set: every auth secret comes from the (fake, HTTPS) vault.</summary>
public sealed class KeyVaultAppTests : IAsyncLifetime, IDisposable
{
    private FakeKeyVault vault = null!;
    private BridgeAppFactory factory = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        vault = await FakeKeyVault.StartAsync();
        vault.SetSecret("Auth--SigningKey", BridgeAppFactory.SigningKeyBase64);
        vault.SetSecret("Auth--Clients", BridgeAppFactory.ClientsJson());
        vault.SetSecret("MoneyKit--ClientId", "sandbox_client_id");
        vault.SetSecret("MoneyKit--ClientSecret", "sandbox_client_secret");
        var credential = new TestCredential();
        factory = new BridgeAppFactory(
            new Dictionary<string, string?>
            {
                ["KeyVault:Uri"] = vault.VaultUri.ToString(),
                ["KeyVault:CacheTtl"] = "00:02:00",
                ["Auth:SigningKey"] = null,
                ["Auth:Clients"] = null,
                ["MoneyKit:ClientId"] = null,
                ["MoneyKit:ClientSecret"] = null,
            },
            services =>
            {
                services.AddSingleton<TokenCredential>(credential);
                services.AddSingleton(vault.CreateClientOptions());
            });
        client = factory.CreateClient();
    }

    public async Task DisposeAsync() => await vault.DisposeAsync();

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    [Fact]
    public async Task Uses_the_key_vault_provider_and_issues_tokens_signed_with_the_vault_key()
    {
        Assert.IsType<KeyVaultSecretProvider>(factory.Services.GetRequiredService<ISecretProvider>());

        var token = await TokenClient.GetTokenAsync(client, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);

        Assert.True(Jwt.HasValidSignature(token, BridgeAppFactory.SigningKey));
        using var response = await TokenClient.GetWithTokenAsync(client, "/api/test/read", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_rotated_client_secret_takes_over_once_the_cache_expires()
    {
        const string rotated = "reader-secret-rotated-42";
        await TokenClient.GetTokenAsync(client, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret);

        vault.SetSecret("Auth--Clients", BridgeAppFactory.ClientsJson(readerSecret: rotated));
        factory.Clock.Advance(TimeSpan.FromMinutes(2));

        using (var old = await TokenClient.RequestFormAsync(client, BridgeAppFactory.ReaderId, BridgeAppFactory.ReaderSecret))
        {
            await ErrorBody.AssertAsync(old, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
        }

        using var fresh = await TokenClient.RequestFormAsync(client, BridgeAppFactory.ReaderId, rotated);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task A_client_list_broken_after_start_up_authenticates_nobody_instead_of_failing()
    {
        var token = await TokenClient.GetTokenAsync(client, BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret);

        vault.SetSecret("Auth--Clients", "{ not a list");
        factory.Clock.Advance(TimeSpan.FromMinutes(2));

        using (var refused = await TokenClient.RequestFormAsync(client, BridgeAppFactory.AdminId, BridgeAppFactory.AdminSecret))
        {
            await ErrorBody.AssertAsync(refused, HttpStatusCode.Unauthorized, ApiErrorCodes.Unauthorized);
        }

        // Tokens already issued stay valid until they expire: they are checked against the signing key only.
        using var stillValid = await TokenClient.GetWithTokenAsync(client, "/api/test/read", token);
        Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
    }
}

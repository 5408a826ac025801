using Microsoft.Extensions.Configuration;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.Secrets;

namespace MoneyKitBridge.Functions.Tests.Secrets;

public sealed class ConfigurationSecretProviderTests
{
    private readonly ConfigurationSecretProvider provider = new(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MoneyKit:ClientSecret"] = "from-settings",
            ["MoneyKit:ClientId"] = "",
        })
        .Build());

    [Fact]
    public async Task Reads_secrets_by_configuration_name()
    {
        Assert.Equal("from-settings", await provider.GetSecretAsync("MoneyKit:ClientSecret", CancellationToken.None));
        Assert.Equal("from-settings", await provider.ReloadSecretAsync("MoneyKit:ClientSecret", CancellationToken.None));
    }

    [Theory]
    [InlineData("MoneyKit:ClientId")]
    [InlineData("Auth:SigningKey")]
    public async Task Empty_or_absent_settings_are_missing_secrets_named_by_their_setting(string name)
    {
        Assert.Null(await provider.GetSecretAsync(name, CancellationToken.None));

        var error = await Assert.ThrowsAsync<BridgeConfigurationException>(async () => await provider.GetRequiredSecretAsync(name, CancellationToken.None));
        Assert.Contains(name.Replace(":", "__", StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
    }
}

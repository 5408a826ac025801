using Microsoft.Extensions.Configuration;
using MoneyKitBridge.Functions.Telemetry;

namespace MoneyKitBridge.Functions.Tests.Telemetry;

public sealed class TelemetryOptionsTests
{
    private const string ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.invalid/";

    [Theory]
    [InlineData("Authorization=AAD", true, null)]
    [InlineData("ClientId=abc;Authorization=AAD", true, "abc")]
    [InlineData(" authorization = aad ; clientid = abc ", true, "abc")]
    [InlineData("Authorization=Basic", false, null)]
    [InlineData("", false, null)]
    public void The_authentication_string_asks_for_Entra_auth_and_names_the_identity(string value, bool entra, string? expectedClientId)
    {
        var options = new TelemetryOptions { ConnectionString = ConnectionString, AuthenticationString = value };

        Assert.Equal(entra, options.TryGetEntraAuth(out var clientId));
        Assert.Equal(expectedClientId, clientId);
    }

    [Fact]
    public void The_Azure_settings_and_the_section_are_read_and_nothing_is_enabled_without_them()
    {
        Assert.False(TelemetryOptions.From(new ConfigurationBuilder().Build()).Enabled);

        var options = TelemetryOptions.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telemetry:Console"] = "true",
            [TelemetryOptions.ConnectionStringSetting] = ConnectionString,
            [TelemetryOptions.AuthenticationStringSetting] = "Authorization=AAD",
        }).Build());

        Assert.True(options.Console);
        Assert.Equal(ConnectionString, options.ConnectionString);
        Assert.True(options.Enabled);
        Assert.Empty(options.Problems());
    }

    [Fact]
    public void A_value_that_is_not_a_connection_string_is_a_problem_naming_the_setting_not_the_value()
    {
        var problem = Assert.Single(new TelemetryOptions { ConnectionString = "secret-looking-value" }.Problems());

        Assert.Contains(TelemetryOptions.ConnectionStringSetting, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-looking-value", problem, StringComparison.Ordinal);
    }
}

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>The built app, started standalone, refuses to start on bad configuration: non-zero exit, one clear line on stderr.</summary>
public sealed class StartupFailureTests
{
    public static TheoryData<string, string, string?, string> BadSettings => new()
    {
        { "Auth__SigningKey", "", null, "required secret 'Auth:SigningKey' is missing (setting 'Auth__SigningKey')" },
        { "Auth__SigningKey", "c2hvcnQta2V5LXZhbHVl", "c2hvcnQta2V5LXZhbHVl", "secret 'Auth:SigningKey' is invalid" },
        { "Auth__Clients", """[{"client_id":"a","client_secret":"tiny","scopes":["links:read"]}]""", "tiny", "secret 'Auth:Clients' is invalid: client 'a' needs a client_secret" },
        { "Auth__Clients", """[{"client_id":"a","client_secret":"long-enough-secret-123","scopes":["admin"]}]""", "long-enough-secret-123", "client 'a' needs scopes" },
        { "RefreshStaleLinks__Schedule", "every 15 minutes", null, "RefreshStaleLinks__Schedule must be a 6-field NCRONTAB expression" },
        { "Reconcile__Schedule", "daily", null, "Reconcile__Schedule must be a 6-field NCRONTAB expression" },
        { "Reconcile__PageSize", "0", null, "PageSize" },
        { "Auth__TokenLifetime", "00:00:05", null, "TokenLifetime" },
        { "KeyVault__Uri", "http://vault.example", null, "KeyVault__Uri must be an absolute https URI" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Exits_non_zero_with_one_line_naming_the_problem(string key, string value, string? secretValue, string expected)
    {
        var settings = StandaloneProcess.ValidSettings();
        settings[key] = value;
        await using var bridge = StandaloneProcess.Start(settings);

        var exitCode = await bridge.WaitForExitAsync();

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(bridge.StandardError, l => !string.IsNullOrWhiteSpace(l));
        Assert.StartsWith("Invalid configuration", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        if (secretValue is not null)
        {
            Assert.DoesNotContain(secretValue, line, StringComparison.Ordinal);
            Assert.DoesNotContain(bridge.StandardOutput, l => l.Contains(secretValue, StringComparison.Ordinal));
        }
    }
}

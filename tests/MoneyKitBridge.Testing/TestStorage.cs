namespace MoneyKitBridge.Testing;

/// <summary>
/// The Azurite instance started by <c>scripts/test.sh</c>. Tests never start or expect a storage emulator
/// that a person started by hand: the script exports <see cref="ConnectionStringVariable"/>.
/// </summary>
public static class TestStorage
{
    /// <summary>Environment variable holding the Azurite Table connection string.</summary>
    public const string ConnectionStringVariable = "BRIDGE_TEST_STORAGE";

    /// <summary>The Azurite connection string (tables on a loopback port).</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{ConnectionStringVariable} is not set. Run the tests with scripts/test.sh, which installs and starts Azurite.");

    /// <summary>A fresh, valid table name (alphanumeric, starts with a letter) unique to this run.</summary>
    public static string UniqueTableName(string prefix = "t") =>
        prefix + Guid.NewGuid().ToString("N")[..20];
}

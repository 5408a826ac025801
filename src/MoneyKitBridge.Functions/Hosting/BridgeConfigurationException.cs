namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// The bridge cannot start with its configuration (a bad setting, a missing or malformed secret). The message is
/// one line that names the setting or secret, never a secret value.
/// </summary>
public sealed class BridgeConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BridgeConfigurationException()
    {
    }

    /// <summary>Creates the exception with a one-line message.</summary>
    public BridgeConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and the failure behind it.</summary>
    public BridgeConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

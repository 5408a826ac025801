namespace MoneyKitBridge.Demo.Bridge;

/// <summary>The bridge could not be used (refused credentials, no answer). Answers from the bridge API itself are passed on, not thrown.</summary>
public sealed class BridgeException : Exception
{
    public BridgeException()
    {
    }

    public BridgeException(string message)
        : base(message)
    {
    }

    public BridgeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BridgeException(int status, string message)
        : base(message) => Status = status;

    /// <summary>The HTTP status the bridge answered, 0 when it did not answer.</summary>
    public int Status { get; }
}

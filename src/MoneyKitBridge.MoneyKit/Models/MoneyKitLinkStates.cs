namespace MoneyKitBridge.MoneyKit;

/// <summary>Known values of <see cref="MoneyKitLink.State"/>. MoneyKit may add more; compare as strings.</summary>
public static class MoneyKitLinkStates
{
    /// <summary><c>connecting</c>.</summary>
    public const string Connecting = "connecting";

    /// <summary><c>awaiting_token_exchange</c>.</summary>
    public const string AwaitingTokenExchange = "awaiting_token_exchange";

    /// <summary><c>connected</c>.</summary>
    public const string Connected = "connected";

    /// <summary><c>deleted</c>.</summary>
    public const string Deleted = "deleted";

    /// <summary><c>error</c>; see <see cref="MoneyKitLink.ErrorCode"/>.</summary>
    public const string Error = "error";
}

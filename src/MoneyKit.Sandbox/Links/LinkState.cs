namespace MoneyKit.Sandbox.Links;

/// <summary>MoneyKit link states (wire names via <see cref="LinkStates.ToWire"/>).</summary>
internal enum LinkState
{
    Connecting,
    AwaitingTokenExchange,
    Connected,
    Error,
    Deleted,
}

internal static class LinkStates
{
    public static string ToWire(this LinkState state) => state switch
    {
        LinkState.Connecting => "connecting",
        LinkState.AwaitingTokenExchange => "awaiting_token_exchange",
        LinkState.Connected => "connected",
        LinkState.Error => "error",
        _ => "deleted",
    };

    /// <summary>MoneyKit's link error codes.</summary>
    public static IReadOnlySet<string> ErrorCodes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "system_error", "provider_error", "institution_error", "user_error", "auth_expired", "no_accounts",
        "user_setup_required", "invalid_credentials", "user_oauth_denied", "user_input_incorrect", "incomplete",
    };
}

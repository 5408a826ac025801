namespace MoneyKitBridge.MoneyKit;

/// <summary>Known values of <see cref="MoneyKitLink.ErrorCode"/> and <see cref="MoneyKitException.LinkErrorCode"/>.</summary>
public static class MoneyKitLinkErrorCodes
{
    /// <summary><c>system_error</c> (transient).</summary>
    public const string SystemError = "system_error";

    /// <summary><c>provider_error</c> (transient).</summary>
    public const string ProviderError = "provider_error";

    /// <summary><c>institution_error</c> (transient).</summary>
    public const string InstitutionError = "institution_error";

    /// <summary><c>user_error</c>.</summary>
    public const string UserError = "user_error";

    /// <summary><c>auth_expired</c>: the user must reconnect.</summary>
    public const string AuthExpired = "auth_expired";

    /// <summary><c>no_accounts</c>.</summary>
    public const string NoAccounts = "no_accounts";

    /// <summary><c>user_setup_required</c>.</summary>
    public const string UserSetupRequired = "user_setup_required";

    /// <summary><c>invalid_credentials</c>.</summary>
    public const string InvalidCredentials = "invalid_credentials";

    /// <summary><c>user_oauth_denied</c>.</summary>
    public const string UserOAuthDenied = "user_oauth_denied";

    /// <summary><c>user_input_incorrect</c>.</summary>
    public const string UserInputIncorrect = "user_input_incorrect";

    /// <summary><c>incomplete</c>: waits on the user, never times out.</summary>
    public const string Incomplete = "incomplete";
}

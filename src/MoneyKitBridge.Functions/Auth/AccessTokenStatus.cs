namespace MoneyKitBridge.Functions.Auth;

/// <summary>Outcome of checking a bearer token.</summary>
public enum AccessTokenStatus
{
    /// <summary>Malformed, wrongly signed, or for another issuer.</summary>
    Invalid,

    /// <summary>Well-formed and signed, but its lifetime has ended.</summary>
    Expired,

    /// <summary>Usable.</summary>
    Valid,
}

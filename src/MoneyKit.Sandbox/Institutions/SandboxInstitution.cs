namespace MoneyKit.Sandbox.Institutions;

/// <summary>How an institution logs its users in.</summary>
internal enum InstitutionLogin
{
    Credentials,
    OAuth,
    Instant,
}

internal sealed record SandboxInstitution(string Id, string Name, string Domain, string Color, InstitutionLogin Login)
{
    public const string CredentialsBankId = "credentials_bank";
    public const string OAuthBankId = "oauth_bank";
    public const string InstantBankId = "instant_bank";

    public static IReadOnlyList<SandboxInstitution> All { get; } =
    [
        new(CredentialsBankId, "Credentials Bank", "credentials-bank.example", "#1f6feb", InstitutionLogin.Credentials),
        new(OAuthBankId, "OAuth Bank", "oauth-bank.example", "#8250df", InstitutionLogin.OAuth),
        new(InstantBankId, "Instant Bank", "instant-bank.example", "#1a7f37", InstitutionLogin.Instant),
    ];

    public static SandboxInstitution? Find(string? id) => All.FirstOrDefault(i => string.Equals(i.Id, id, StringComparison.Ordinal));

    public string Avatar => $"https://{Domain}/avatar.png";
}

namespace MoneyKit.Sandbox.Data;

/// <summary>MoneyKit product names.</summary>
internal static class SandboxProducts
{
    public const string Accounts = "accounts";
    public const string AccountNumbers = "account_numbers";
    public const string Identity = "identity";
    public const string Transactions = "transactions";
    public const string Investments = "investments";

    /// <summary>Products the sandbox institutions offer (investments are listed by MoneyKit but not simulated here).</summary>
    public static IReadOnlyList<string> Available { get; } = [Accounts, AccountNumbers, Identity, Transactions];

    public static bool IsKnown(string product) =>
        product is Accounts or AccountNumbers or Identity or Transactions or Investments;

    /// <summary>MoneyKit's refresh limit per product: hourly for accounts/transactions, daily for numbers/identity.</summary>
    public static TimeSpan MinimumInterval(string product, TimeSpan hourlyInterval) =>
        product is AccountNumbers or Identity ? hourlyInterval * 24 : hourlyInterval;
}

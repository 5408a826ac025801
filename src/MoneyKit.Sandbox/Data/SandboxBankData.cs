using System.Globalization;
using MoneyKit.Sandbox.Links;
using MoneyKit.Sandbox.Transactions;

namespace MoneyKit.Sandbox.Data;

/// <summary>
/// Fake bank data: accounts, balances, identity and transactions. Content comes from <c>data</c> (deterministic per
/// user for the static users), ids from <c>ids</c> (unique per link).
/// </summary>
internal static class SandboxBankData
{
    private sealed record Merchant(string Name, string Category, string Subcategory, decimal Min, decimal Max, bool Credit);

    private static readonly Merchant[] Merchants =
    [
        new("Starbucks", "food_and_drink", "coffee", 3m, 14m, false),
        new("Whole Foods Market", "food_and_drink", "groceries", 12m, 180m, false),
        new("Chipotle", "food_and_drink", "restaurants", 9m, 40m, false),
        new("Shell", "transportation", "gas", 25m, 90m, false),
        new("Uber", "transportation", "rideshare", 8m, 60m, false),
        new("Netflix", "entertainment", "streaming", 15.49m, 15.49m, false),
        new("Amazon", "shopping", "online_marketplaces", 6m, 250m, false),
        new("Target", "shopping", "general_merchandise", 10m, 160m, false),
        new("Comcast", "bills_and_utilities", "internet", 79.99m, 79.99m, false),
        new("City Power & Light", "bills_and_utilities", "electricity", 40m, 160m, false),
        new("ACME Corp Payroll", "income", "salary", 1800m, 3200m, true),
        new("Interest Payment", "income", "interest", 0.5m, 12m, true),
        new("Venmo", "transfer", "peer_to_peer", 5m, 120m, true),
    ];

    private static readonly (string Type, string Name)[] AccountKinds =
    [
        ("depository.checking", "Checking"),
        ("depository.savings", "Savings"),
        ("credit_card", "Credit Card"),
    ];

    private static readonly string[] FirstNames = ["Alex", "Jordan", "Sam", "Taylor", "Casey", "Morgan", "Riley", "Jamie"];

    private static readonly string[] LastNames = ["Rivera", "Chen", "Okafor", "Novak", "Schmidt", "Patel", "Garcia", "Kim"];

    /// <summary>Static users: fixed names, numbers and identity; transactions deterministic for every link.</summary>
    public static bool IsStaticUser(string? username) => username is "user_1pass_good" or "user_2pass_good";

    public static List<SandboxAccount> CreateAccounts(Random data, Random ids, string? username, string institutionName, DateTimeOffset now)
    {
        var staticPrefix = username switch
        {
            "user_1pass_good" => "1Pass",
            "user_2pass_good" => "2Pass",
            _ => null,
        };
        var accounts = new List<SandboxAccount>();
        for (var i = 0; i < AccountKinds.Length; i++)
        {
            var (type, name) = AccountKinds[i];
            var credit = type.StartsWith("credit", StringComparison.Ordinal);
            var number = staticPrefix is null
                ? Digits(data, 10)
                : string.Create(CultureInfo.InvariantCulture, $"{(staticPrefix[0] == '1' ? 11 : 22)}0000000{i + 1}");
            var current = Money(data, credit ? 50m : 200m, credit ? 2500m : 15000m);
            accounts.Add(new SandboxAccount
            {
                Id = SandboxIds.Next(ids, "acc_"),
                Type = type,
                Name = staticPrefix is null ? $"{institutionName} {name}" : $"{staticPrefix} {name}",
                Mask = number[^4..],
                AccountNumber = number,
                RoutingNumber = staticPrefix is null ? "0" + Digits(data, 8) : "011000015",
                Current = current,
                Available = credit ? 5000m - current : current,
                Limit = credit ? 5000m : null,
                BalanceDate = now,
            });
        }

        return accounts;
    }

    public static SandboxOwner CreateOwner(Random data, string? username) => username switch
    {
        "user_1pass_good" => new("Alex One", "alex.one@example.com", "+15555550101", "1 First Street", "Springfield", "IL", "62701"),
        "user_2pass_good" => new("Blair Two", "blair.two@example.com", "+15555550202", "2 Second Avenue", "Portland", "OR", "97201"),
        _ => CreateRandomOwner(data),
    };

    /// <summary>New random balances (every accounts refresh).</summary>
    public static void RefreshBalances(Random data, IEnumerable<SandboxAccount> accounts, DateTimeOffset now)
    {
        foreach (var account in accounts)
        {
            account.Current = Money(data, account.IsCredit ? 50m : 200m, account.IsCredit ? 2500m : 15000m);
            account.Available = account.IsCredit ? (account.Limit ?? 0m) - account.Current : account.Current;
            account.BalanceDate = now;
        }
    }

    public static SandboxTransaction CreateTransaction(Random data, Random ids, IReadOnlyList<SandboxAccount> accounts, DateOnly date, bool pending)
    {
        var merchant = Merchants[data.Next(Merchants.Length)];
        // Income lands in checking or savings; spending goes through checking or the credit card.
        // With only some accounts granted, the wanted kind falls back to the first granted account (same random draws either way).
        var kind = AccountKinds[merchant.Credit ? data.Next(2) : data.Next(5) < 3 ? 0 : 2].Type;
        var account = accounts.FirstOrDefault(a => a.Type == kind) ?? accounts[0];
        var amount = Money(data, merchant.Min, merchant.Max);
        var store = data.Next(100, 9999);
        return new SandboxTransaction
        {
            Id = SandboxIds.Next(ids, "txn_"),
            AccountId = account.Id,
            Amount = amount,
            IsCredit = merchant.Credit,
            Date = date,
            Time = new TimeOnly(data.Next(7, 22), data.Next(60), data.Next(60)),
            Description = merchant.Name,
            RawDescription = string.Create(CultureInfo.InvariantCulture, $"{merchant.Name.ToUpperInvariant()} #{store} T{data.Next(10000, 99999)}"),
            Category = merchant.Category,
            Subcategory = merchant.Subcategory,
            MerchantId = "mer_" + StableSeed.Derive(0, merchant.Name).ToString("x8", CultureInfo.InvariantCulture),
            Pending = pending,
        };
    }

    private static SandboxOwner CreateRandomOwner(Random data)
    {
        var first = FirstNames[data.Next(FirstNames.Length)];
        var last = LastNames[data.Next(LastNames.Length)];
        return new SandboxOwner(
            $"{first} {last}",
            $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}@example.com",
            "+1555555" + Digits(data, 4),
            string.Create(CultureInfo.InvariantCulture, $"{data.Next(1, 999)} Main Street"),
            "Springfield",
            "IL",
            "627" + Digits(data, 2));
    }

    private static decimal Money(Random data, decimal min, decimal max) =>
        min == max ? min : Math.Round(min + ((max - min) * (decimal)data.NextDouble()), 2);

    private static string Digits(Random data, int count)
    {
        Span<char> chars = stackalloc char[count];
        for (var i = 0; i < count; i++)
        {
            chars[i] = (char)('0' + data.Next(10));
        }

        return new string(chars);
    }
}

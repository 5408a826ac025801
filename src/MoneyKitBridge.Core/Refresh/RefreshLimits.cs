namespace MoneyKitBridge.Core.Refresh;

/// <summary>
/// MoneyKit's published limits on <c>POST /links/{id}/products</c> (docs.moneykit.com/api/reference/rate-limits): one
/// refresh per link per hour of <c>accounts</c> and of <c>transactions</c>, one per link per day of
/// <c>account_numbers</c> and of <c>identity</c>; each product counts on its own. What counts is a refresh MoneyKit
/// accepted (202) for that product of that link: the data pulled when the link was created (prefetch), MoneyKit's own
/// scheduled updates and refused or failed calls do not. <c>investments</c> has no published limit, so the bridge
/// never refuses it itself (MoneyKit decides).
/// </summary>
public static class RefreshLimits
{
    /// <summary>Products <c>POST /links/{id}/products</c> accepts.</summary>
    public static IReadOnlyList<string> Products { get; } = ["transactions", "accounts", "identity", "account_numbers", "investments"];

    public static bool IsProduct(string product) => Products.Contains(product, StringComparer.Ordinal);

    /// <summary>The shortest time between two accepted refreshes of <paramref name="product"/> of one link, or null when MoneyKit publishes none.</summary>
    public static TimeSpan? IntervalOf(string product) => product switch
    {
        "transactions" or "accounts" => TimeSpan.FromHours(1),
        "identity" or "account_numbers" => TimeSpan.FromDays(1),
        _ => null,
    };

    /// <summary>
    /// How long MoneyKit would still refuse a refresh of <paramref name="products"/> given when each was last accepted
    /// (<paramref name="lastAccepted"/>; null: never); zero when it would accept.
    /// </summary>
    public static TimeSpan WaitBefore(IEnumerable<string> products, Func<string, DateTimeOffset?> lastAccepted, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(lastAccepted);
        var wait = TimeSpan.Zero;
        foreach (var product in products)
        {
            if (IntervalOf(product) is { } interval && lastAccepted(product) is { } last && last + interval - now is var left && left > wait)
            {
                wait = left;
            }
        }

        return wait;
    }
}

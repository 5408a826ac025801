using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Products;

/// <summary>The link products the bridge stores as sensitive data: account numbers and identity.</summary>
public static class SensitiveProducts
{
    public const string AccountNumbers = "account_numbers";
    public const string Identity = "identity";

    public static IReadOnlyList<string> All { get; } = [AccountNumbers, Identity];

    public static bool IsSensitive(string? product) => product is AccountNumbers or Identity;

    /// <summary>The link's product status, or null when the link does not grant <paramref name="product"/>.</summary>
    public static MoneyKitLinkProduct? Of(MoneyKitLinkProducts? products, string product) => product switch
    {
        AccountNumbers => products?.AccountNumbers,
        Identity => products?.Identity,
        _ => null,
    };
}

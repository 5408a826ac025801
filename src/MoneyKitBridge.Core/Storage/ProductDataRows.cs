using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// Key layout of a link's sensitive product data (account numbers, identity) in its <c>links</c> partition: one row
/// per account holding MoneyKit's account object with the product's data, and a header row written last that says
/// the product was fetched and for which refresh. Purged with the link's other data.
/// </summary>
public static class ProductDataKeys
{
    public const string Prefix = "pdata_";

    /// <summary>Row key prefix of every row of <paramref name="product"/>.</summary>
    public static string ProductPrefix(string product) => Prefix + TableKeys.ForValue(product) + "_";

    public static string Header(string product) => ProductPrefix(product) + "h";

    public static string Account(string product, string accountId) => ProductPrefix(product) + "a_" + TableKeys.ForValue(accountId);
}

/// <summary>
/// The header of a product's stored data: when it was fetched and the refresh it reflects (<see cref="RefreshMark"/>:
/// the newest of MoneyKit's <c>refreshed_at</c> and the completed <c>link.product_refresh</c> seen when it was fetched).
/// </summary>
public sealed record ProductDataHeaderRow(string Product, DateTimeOffset FetchedAt, DateTimeOffset? RefreshMark, int Accounts)
{
    public TableEntity ToEntity(string partition) =>
        new TableEntity(partition, ProductDataKeys.Header(Product))
            .Put(nameof(Product), Product)
            .Put(nameof(FetchedAt), FetchedAt)
            .Put(nameof(RefreshMark), RefreshMark)
            .Put(nameof(Accounts), Accounts);

    public static ProductDataHeaderRow FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new(
            entity.GetString(nameof(Product)) ?? string.Empty,
            entity.GetDateTimeOffset(nameof(FetchedAt)) ?? default,
            entity.GetDateTimeOffset(nameof(RefreshMark)),
            entity.GetInt32(nameof(Accounts)) ?? 0);
    }
}

/// <summary>
/// One account of a product's stored data: MoneyKit's account object with <c>numbers</c> or <c>owners</c>, as fetched,
/// and its place in MoneyKit's answer (<see cref="Order"/>), so it is served in MoneyKit's order.
/// </summary>
public sealed record ProductDataAccountRow(string Product, string AccountId, int Order, string Json)
{
    public TableEntity ToEntity(string partition) =>
        new TableEntity(partition, ProductDataKeys.Account(Product, AccountId))
            .Put(nameof(Product), Product)
            .Put(nameof(AccountId), AccountId)
            .Put(nameof(Order), Order)
            .Put(nameof(Json), Json);

    public static ProductDataAccountRow FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new(
            entity.GetString(nameof(Product)) ?? string.Empty,
            entity.GetString(nameof(AccountId)) ?? string.Empty,
            entity.GetInt32(nameof(Order)) ?? 0,
            entity.GetString(nameof(Json)) ?? "{}");
    }
}

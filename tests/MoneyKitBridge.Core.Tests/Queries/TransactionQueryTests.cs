using MoneyKitBridge.Core.Queries;

namespace MoneyKitBridge.Core.Tests.Queries;

public sealed class TransactionQueryTests
{
    private static StoredTransaction T(string id, string account, string date, string? time = null) =>
        new(id, account, DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), time is null ? null : DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), false, "{}");

    private static List<StoredTransaction> Sorted(params StoredTransaction[] items)
    {
        var list = items.ToList();
        list.Sort(LinkSnapshot.CompareNewestFirst);
        return list;
    }

    [Fact]
    public void Newest_first_with_time_of_day_then_id_as_tie_breaks()
    {
        var sorted = Sorted(
            T("b", "a1", "2026-01-02"),
            T("a", "a1", "2026-01-02"),
            T("c", "a1", "2026-01-02", "2026-01-02T08:00:00Z"),
            T("d", "a1", "2026-01-02", "2026-01-02T09:00:00Z"),
            T("e", "a1", "2026-01-03"),
            T("f", "a1", "2025-12-31"));

        Assert.Equal(["e", "d", "c", "b", "a", "f"], sorted.Select(t => t.TransactionId));
    }

    [Fact]
    public void Filters_by_inclusive_dates_and_accounts_and_pages_with_a_total()
    {
        var items = Sorted(Enumerable.Range(1, 30).Select(d => T("t" + d.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), d % 2 == 0 ? "even" : "odd", $"2026-01-{d:D2}")).ToArray());
        var query = new TransactionQuery(new HashSet<string> { "even" }, new DateOnly(2026, 1, 5), new DateOnly(2026, 1, 20), Page: 2, Size: 3);

        var page = query.Apply(items);

        Assert.Equal(8, page.Total); // 6, 8, ..., 20
        Assert.Equal(["t14", "t12", "t10"], page.Transactions.Select(t => t.TransactionId));
    }

    [Fact]
    public void A_page_past_the_end_is_empty_but_keeps_the_total()
    {
        var items = Sorted(T("x", "a", "2026-01-01"), T("y", "a", "2026-01-02"));

        var page = new TransactionQuery(null, DateOnly.MinValue, DateOnly.MaxValue, Page: 3, Size: 50).Apply(items);

        Assert.Equal(2, page.Total);
        Assert.Empty(page.Transactions);
    }

    [Fact]
    public void An_offset_replaces_the_page_and_keeps_the_total()
    {
        var items = Sorted(Enumerable.Range(1, 10).Select(d => T("t" + d.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), "a", $"2026-01-{d:D2}")).ToArray());

        var page = new TransactionQuery(null, DateOnly.MinValue, DateOnly.MaxValue, Page: 1, Size: 3) { Offset = 4 }.Apply(items);
        var past = new TransactionQuery(null, DateOnly.MinValue, DateOnly.MaxValue, Page: 1, Size: 3) { Offset = 10 }.Apply(items);

        Assert.Equal(["t06", "t05", "t04"], page.Transactions.Select(t => t.TransactionId));
        Assert.Equal(10, page.Total);
        Assert.Empty(past.Transactions);
        Assert.Equal(10, past.Total);
    }

    [Fact]
    public void Type_and_category_filters_count_only_matches_in_the_total_and_the_page()
    {
        static StoredTransaction J(string id, string date, string type, string category) =>
            new(id, "a", DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), null, false, $$"""{"transaction_id":"{{id}}","type":"{{type}}","category":"{{category}}"}""");
        var items = Sorted(
            J("t1", "2026-01-01", "debit", "food_and_drink"),
            J("t2", "2026-01-02", "credit", "income"),
            J("t3", "2026-01-03", "debit", "shopping"),
            J("t4", "2026-01-04", "credit", "transfer"),
            J("t5", "2026-01-05", "debit", "food_and_drink"));
        var all = new TransactionQuery(null, DateOnly.MinValue, DateOnly.MaxValue, Page: 1, Size: 50);

        var debits = (all with { Types = new HashSet<string> { "debit" } }).Apply(items);
        var food = (all with { Categories = new HashSet<string> { "food_and_drink", "income" }, Size = 2, Page = 2 }).Apply(items);
        var both = (all with { Types = new HashSet<string> { "credit" }, Categories = new HashSet<string> { "food_and_drink" } }).Apply(items);

        Assert.Equal(["t5", "t3", "t1"], debits.Transactions.Select(t => t.TransactionId));
        Assert.Equal(3, food.Total);
        Assert.Equal(["t1"], food.Transactions.Select(t => t.TransactionId));
        Assert.Equal(0, both.Total);
    }
}

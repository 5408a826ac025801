using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using MoneyKitBridge.Functions.Transactions;

namespace MoneyKitBridge.Functions.Tests.Transactions;

public sealed class UserTransactionQueryTests
{
    private static readonly DateOnly Today = new(2026, 1, 5);

    private static QueryCollection Query(string query) => new(QueryHelpers.ParseQuery(query));

    [Fact]
    public void Reads_every_published_parameter_with_repeated_and_comma_listed_values()
    {
        var ok = UserTransactionQuery.TryParse(
            Query("?page=2&size=500&start_date=2025-12-01&end_date=2025-12-31&transaction_type=credit&transaction_type=debit&category=income,shopping&category[]=transfer&account_id=a1&account_ids=a2&institution_id=instant_bank"),
            Today, out var value, out var error);

        Assert.True(ok, error?.ToString());
        var query = value!.Query;
        Assert.Equal((2, 500), (query.Page, query.Size));
        Assert.Equal((new DateOnly(2025, 12, 1), new DateOnly(2025, 12, 31)), (query.StartDate, query.EndDate));
        Assert.Equal(["credit", "debit"], query.Types!.Order(StringComparer.Ordinal));
        Assert.Equal(["income", "shopping", "transfer"], query.Categories!.Order(StringComparer.Ordinal));
        Assert.Equal(["a1", "a2"], query.AccountIds!.Order(StringComparer.Ordinal));
        Assert.Equal(["instant_bank"], value.InstitutionIds!);
    }

    [Fact]
    public void Absent_filters_are_null_and_the_window_is_the_last_90_days()
    {
        Assert.True(UserTransactionQuery.TryParse(Query(string.Empty), Today, out var value, out _));

        Assert.Null(value!.Query.Types);
        Assert.Null(value.Query.Categories);
        Assert.Null(value.Query.AccountIds);
        Assert.Null(value.InstitutionIds);
        Assert.Equal((Today.AddDays(-90), Today, 50), (value.Query.StartDate, value.Query.EndDate, value.Query.Size));
    }

    [Theory]
    [InlineData("?size=501")]
    [InlineData("?size=0")]
    [InlineData("?page=0")]
    [InlineData("?transaction_type=refund")]
    [InlineData("?transaction_type=credit&transaction_type=Debit")]
    [InlineData("?start_date=2026-02-30")]
    [InlineData("?end_date=yesterday")]
    [InlineData("?start_date=2026-01-05&end_date=2026-01-04")]
    [InlineData("?size=10&size=20")]
    public void Invalid_values_are_refused(string raw)
    {
        Assert.False(UserTransactionQuery.TryParse(Query(raw), Today, out var value, out var error));
        Assert.Null(value);
        Assert.NotNull(error);
    }
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using MoneyKitBridge.Functions.Transactions;

namespace MoneyKitBridge.Functions.Tests.Transactions;

public sealed class TransactionQueryParserTests
{
    private static readonly DateOnly Today = new(2026, 1, 5);

    private static QueryCollection Query(string query) => new(QueryHelpers.ParseQuery(query));

    [Fact]
    public void Page_paged_reads_page_and_ignores_cursor()
    {
        var (query, error) = TransactionQueryParser.Parse(Query("?page=3&size=100&cursor=anything"), Today);

        Assert.Null(error);
        Assert.Equal(3, query!.Page);
        Assert.Null(query.Offset);
        Assert.Equal(100, query.Size);
    }

    [Fact]
    public void Cursor_paged_reads_this_links_cursor_as_an_offset_and_ignores_page()
    {
        var cursor = TransactionListCursor.Encode("mk_link", 40);

        var (query, error) = TransactionQueryParser.ParseCursorPaged(Query("?page=0&size=500&cursor=" + Uri.EscapeDataString(cursor)), Today, "mk_link");
        var (first, _) = TransactionQueryParser.ParseCursorPaged(Query("?cursor="), Today, "mk_link");

        Assert.Null(error);
        Assert.Equal(40, query!.Offset);
        Assert.Equal(500, query.Size);
        Assert.Equal(0, first!.Offset);
        Assert.Equal(MoneyKitBridge.Core.Queries.TransactionQuery.DefaultSize, first.Size);
    }

    [Theory]
    [InlineData("?size=501")]
    [InlineData("?size=0")]
    [InlineData("?cursor=not-a-cursor")]
    [InlineData("?cursor=a&cursor=b")]
    public void Cursor_paged_refuses_what_2023_12_14_refuses(string raw)
    {
        var (query, error) = TransactionQueryParser.ParseCursorPaged(Query(raw), Today, "mk_link");

        Assert.Null(query);
        Assert.NotNull(error);
    }

    [Fact]
    public void Another_links_cursor_is_refused()
    {
        var cursor = TransactionListCursor.Encode("mk_other", 5);

        var (query, error) = TransactionQueryParser.ParseCursorPaged(Query("?cursor=" + Uri.EscapeDataString(cursor)), Today, "mk_link");

        Assert.Null(query);
        Assert.NotNull(error);
    }

    [Fact]
    public void Page_paged_still_caps_size_at_100()
    {
        Assert.NotNull(TransactionQueryParser.Parse(Query("?size=101"), Today).Error);
    }
}

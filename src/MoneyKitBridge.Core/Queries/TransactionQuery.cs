namespace MoneyKitBridge.Core.Queries;

/// <summary>The seed's transaction query: accounts, an inclusive date range, and a 1-based page (or an offset) of a given size.</summary>
public sealed record TransactionQuery(IReadOnlySet<string>? AccountIds, DateOnly StartDate, DateOnly EndDate, int Page, int Size)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    /// <summary>Matches to skip before the page; null skips the pages before <see cref="Page"/> (a cursor-paged list sets it).</summary>
    public int? Offset { get; init; }

    /// <summary>MoneyKit's <c>transaction_type</c> filter of a user's transactions (<c>credit</c>, <c>debit</c>); null: every type.</summary>
    public IReadOnlySet<string>? Types { get; init; }

    /// <summary>MoneyKit's <c>category</c> filter of a user's transactions (exact category names); null: every category.</summary>
    public IReadOnlySet<string>? Categories { get; init; }

    /// <summary>Filters and pages transactions that are already sorted newest first.</summary>
    public TransactionPage Apply(IReadOnlyList<StoredTransaction> newestFirst)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        var matches = new List<StoredTransaction>();
        var skip = Offset ?? (long)(Page - 1) * Size;
        var total = 0;
        foreach (var t in newestFirst)
        {
            if (t.Date > EndDate)
            {
                continue;
            }

            if (t.Date < StartDate)
            {
                break;
            }

            if (AccountIds is not null && !AccountIds.Contains(t.AccountId))
            {
                continue;
            }

            if ((Types is not null || Categories is not null) && !TransactionFacets.Read(t.Json).Matches(Types, Categories))
            {
                continue;
            }

            if (total >= skip && matches.Count < Size)
            {
                matches.Add(t);
            }

            total++;
        }

        return new TransactionPage(total, Page, Size, matches);
    }
}

/// <summary>One page of a transaction query and the total number of matches.</summary>
public sealed record TransactionPage(int Total, int Page, int Size, IReadOnlyList<StoredTransaction> Transactions);

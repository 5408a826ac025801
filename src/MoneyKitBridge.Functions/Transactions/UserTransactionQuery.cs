using System.Diagnostics.CodeAnalysis;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Transactions;

/// <summary>
/// The query of <c>GET /api/users/{user_id}/transactions</c> as MoneyKit's <c>get_user_transactions</c> publishes it:
/// <c>page</c> (≥ 1), <c>size</c> (1..500, default 50), <c>start_date</c>/<c>end_date</c>, and the repeatable filters
/// <c>transaction_type</c> (<c>credit</c>, <c>debit</c>), <c>category</c>, <c>account_id</c> and <c>institution_id</c>
/// (also with <c>[]</c> and as comma lists; the seed's <c>account_ids</c> is read too). Every problem is reported.
/// </summary>
public sealed record UserTransactionQuery(TransactionQuery Query, IReadOnlySet<string>? InstitutionIds)
{
    private static readonly HashSet<string> TransactionTypes = new(StringComparer.Ordinal) { "credit", "debit" };

    public static bool TryParse(IQueryCollection query, DateOnly today, [NotNullWhen(true)] out UserTransactionQuery? value, [NotNullWhen(false)] out IResult? error)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new List<ValidationError>();
        var parsed = TransactionQueryParser.ReadUserQuery(query, today, errors);
        var types = QueryIdList.Read(query, "transaction_type", errors);
        if (types?.FirstOrDefault(t => !TransactionTypes.Contains(t)) is { } unknown)
        {
            errors.Add(new ValidationError(["query", "transaction_type"], $"transaction_type must be one of 'credit', 'debit' (got '{Shorten(unknown)}').", "type_error.enum"));
        }

        var categories = QueryIdList.Read(query, "category", errors);
        var accountIds = QueryIdList.Read(query, "account_id", errors);
        var institutionIds = QueryIdList.Read(query, "institution_id", errors);
        if (errors.Count > 0 || parsed is null)
        {
            value = null;
            error = ApiErrorResults.Validation(errors);
            return false;
        }

        var accounts = (parsed.AccountIds, accountIds) switch
        {
            (null, var ids) => ids,
            (var ids, null) => ids,
            ({ } a, { } b) => a.Union(b, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal),
        };
        value = new UserTransactionQuery(parsed with { AccountIds = accounts, Types = types, Categories = categories }, institutionIds);
        error = null;
        return true;
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

using Microsoft.AspNetCore.Http.HttpResults;
using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Auth;
using MoneyKit.Sandbox.Data;
using MoneyKit.Sandbox.Links;
using MoneyKit.Sandbox.Transactions;

namespace MoneyKit.Sandbox.Users;

/// <summary>
/// MoneyKit's user endpoints (<c>UsersApi</c> of its published clients): <c>GET /users/{id}/links</c>,
/// <c>/users/{id}/accounts</c> (filters <c>account_ids</c>, <c>institution_ids</c>) and <c>/users/{id}/transactions</c>
/// (filters <c>transaction_type</c>, <c>category</c>, <c>account_id</c>, <c>institution_id</c>, dates; paged by
/// <c>page</c>/<c>size</c>). A user's links are the caller's links made for that <c>customer_user.id</c>; links whose
/// product cannot be read (deleted, not granted, not connected) are left out.
/// </summary>
internal static class UserEndpoints
{
    private static readonly HashSet<string> TransactionTypes = new(StringComparer.Ordinal) { "credit", "debit" };

    public static void MapUserEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/users/{id}/links", GetLinks);
        api.MapGet("/users/{id}/accounts", GetAccounts);
        api.MapGet("/users/{id}/transactions", GetTransactions);
    }

    private static JsonHttpResult<UserLinksResponse> GetLinks(string id, HttpContext context, LinkRegistry links)
    {
        var result = new Dictionary<string, LinkWire>(StringComparer.Ordinal);
        foreach (var link in UserLinks(links, context, id))
        {
            lock (link.Gate)
            {
                if (link.State != LinkState.Deleted)
                {
                    result[link.Id] = link.ToWire();
                }
            }
        }

        return TypedResults.Json(new UserLinksResponse(result), SandboxJsonContext.Default.UserLinksResponse);
    }

    private static JsonHttpResult<UserAccountsResponse> GetAccounts(string id, HttpContext context, LinkRegistry links)
    {
        var accountIds = UserQuery.List(context.Request.Query, "account_ids");
        var institutionIds = UserQuery.List(context.Request.Query, "institution_ids");
        var groups = new Dictionary<string, AccountGroupWire>(StringComparer.Ordinal);
        foreach (var link in UserLinks(links, context, id))
        {
            lock (link.Gate)
            {
                if (LinkAccess.CheckReadable(link, SandboxProducts.Accounts) is not null || (institutionIds is not null && !institutionIds.Contains(link.Institution.Id)))
                {
                    continue;
                }

                var accounts = link.Accounts.Where(a => accountIds is null || accountIds.Contains(a.Id)).Select(a => a.ToWire()).ToList();
                if (accounts.Count > 0 || accountIds is null)
                {
                    groups[link.Id] = new AccountGroupWire(accounts, link.Products[SandboxProducts.Accounts].RefreshedAt?.UtcDateTime);
                }
            }
        }

        return TypedResults.Json(new UserAccountsResponse(groups), SandboxJsonContext.Default.UserAccountsResponse);
    }

    private static IResult GetTransactions(string id, HttpContext context, LinkRegistry links, TimeProvider time)
    {
        var query = context.Request.Query;
        if (!UserQuery.TryInt(query, "page", 1, 1, int.MaxValue, out var page, out var error)
            || !UserQuery.TryInt(query, "size", 50, 1, UserQuery.MaxSize, out var size, out error)
            || !UserQuery.TryDate(query, "end_date", DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), out var endDate, out error)
            || !UserQuery.TryDate(query, "start_date", endDate.AddDays(-90), out var startDate, out error))
        {
            return error!;
        }

        if (startDate > endDate)
        {
            return ErrorResult.QueryValidation("start_date", "start_date must not be after end_date.");
        }

        var types = UserQuery.List(query, "transaction_type");
        if (types?.FirstOrDefault(t => !TransactionTypes.Contains(t)) is not null)
        {
            return ErrorResult.QueryValidation("transaction_type", "transaction_type must be one of 'credit', 'debit'.");
        }

        var categories = UserQuery.List(query, "category");
        var accountIds = UserQuery.List(query, "account_id");
        var institutionIds = UserQuery.List(query, "institution_id");
        var matching = new List<(SandboxTransaction Transaction, TransactionWire Wire)>();
        var accounts = new Dictionary<string, BasicAccountDetailsWire>(StringComparer.Ordinal);
        foreach (var link in UserLinks(links, context, id))
        {
            lock (link.Gate)
            {
                if (LinkAccess.CheckReadable(link, SandboxProducts.Transactions) is not null || (institutionIds is not null && !institutionIds.Contains(link.Institution.Id)))
                {
                    continue;
                }

                var syncedAt = link.Products[SandboxProducts.Transactions].RefreshedAt?.UtcDateTime;
                foreach (var account in link.Accounts.Where(a => accountIds is null || accountIds.Contains(a.Id)))
                {
                    accounts[account.Id] = new BasicAccountDetailsWire(account.Name, syncedAt, link.Institution.Id, link.Id);
                }

                matching.AddRange(link.Transactions.NewestFirst()
                    .Where(t => t.Date >= startDate && t.Date <= endDate
                        && (accountIds is null || accountIds.Contains(t.AccountId))
                        && (types is null || types.Contains(t.IsCredit ? "credit" : "debit"))
                        && (categories is null || categories.Contains(t.Category)))
                    .Select(t => (t, t.ToWire())));
            }
        }

        matching.Sort(static (a, b) =>
        {
            var byDate = b.Transaction.Date.CompareTo(a.Transaction.Date);
            if (byDate != 0)
            {
                return byDate;
            }

            var byTime = b.Transaction.Time.CompareTo(a.Transaction.Time);
            return byTime != 0 ? byTime : string.CompareOrdinal(b.Transaction.Id, a.Transaction.Id);
        });
        var skip = (int)Math.Min(int.MaxValue, (long)(page - 1) * size);
        var pageItems = matching.Skip(skip).Take(size).Select(m => m.Wire).ToList();
        return TypedResults.Json(
            new UserTransactionsResponse(matching.Count, page, pageItems.Count, pageItems, accounts),
            SandboxJsonContext.Default.UserTransactionsResponse);
    }

    private static List<SandboxLink> UserLinks(LinkRegistry links, HttpContext context, string userId)
    {
        var clientId = ApiCaller.ClientId(context);
        return links.All
            .Where(l => string.Equals(l.ClientId, clientId, StringComparison.Ordinal) && string.Equals(l.CustomerUserId, userId, StringComparison.Ordinal))
            .OrderBy(l => l.CreatedAt)
            .ThenBy(l => l.Id, StringComparer.Ordinal)
            .ToList();
    }
}

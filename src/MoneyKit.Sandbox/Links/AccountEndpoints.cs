using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Data;

namespace MoneyKit.Sandbox.Links;

/// <summary><c>GET /links/{id}/accounts</c>, <c>/accounts/{account_id}</c>, <c>/accounts/numbers</c>, <c>/identity</c>.</summary>
internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/links/{id}/accounts", GetAccounts);
        api.MapGet("/links/{id}/accounts/numbers", GetAccountNumbers);
        api.MapGet("/links/{id}/accounts/{accountId}", GetAccount);
        api.MapGet("/links/{id}/identity", GetIdentity);
    }

    private static IResult GetAccounts(string id, HttpContext context, LinkRegistry links) =>
        Read(links, context, id, SandboxProducts.Accounts, link => TypedResults.Json(
            new AccountsResponse([.. link.Accounts.Select(a => a.ToWire())], link.ToWire()),
            SandboxJsonContext.Default.AccountsResponse));

    private static IResult GetAccount(string id, string accountId, HttpContext context, LinkRegistry links) =>
        Read(links, context, id, SandboxProducts.Accounts, link =>
            link.Accounts.FirstOrDefault(a => a.Id == accountId) is { } account
                ? TypedResults.Json(new AccountResponse(account.ToWire(), link.ToWire()), SandboxJsonContext.Default.AccountResponse)
                : ErrorResult.NotFound("account_error.not_found", "Account not found."));

    private static IResult GetAccountNumbers(string id, HttpContext context, LinkRegistry links) =>
        Read(links, context, id, SandboxProducts.AccountNumbers, link => TypedResults.Json(
            new AccountNumbersResponse(
                [.. link.Accounts.Select(a => a.ToWire())],
                new AccountNumbersWire(link.Products[SandboxProducts.AccountNumbers].Fetched
                    ? [.. link.Accounts.Select(a => new AchNumberWire(a.Id, a.AccountNumber, a.RoutingNumber))]
                    : []), // not prefetched: no numbers until the first refresh
                link.ToWire()),
            SandboxJsonContext.Default.AccountNumbersResponse));

    private static IResult GetIdentity(string id, HttpContext context, LinkRegistry links) =>
        Read(links, context, id, SandboxProducts.Identity, link =>
        {
            var o = link.Owner;
            var owner = new OwnerWire(
                o.Name,
                [new AddressWire(o.City, "US", o.Line1, o.PostalCode, o.Region)],
                [new ContactWire(o.Phone, true)],
                [new ContactWire(o.Email, true)]);
            IReadOnlyList<OwnerWire> owners = link.Products[SandboxProducts.Identity].Fetched ? [owner] : []; // not prefetched: no owners yet
            return TypedResults.Json(
                new IdentityResponse([.. link.Accounts.Select(a => new AccountIdentityWire(a.Id, a.Type, a.Name, a.Mask, a.Balances(), owners))], link.ToWire()),
                SandboxJsonContext.Default.IdentityResponse);
        });

    private static IResult Read(LinkRegistry links, HttpContext context, string id, string product, Func<SandboxLink, IResult> answer)
    {
        var (link, error) = LinkAccess.Find(links, context, id);
        if (error is not null)
        {
            return error;
        }

        lock (link!.Gate)
        {
            return LinkAccess.CheckReadable(link, product) ?? answer(link);
        }
    }
}

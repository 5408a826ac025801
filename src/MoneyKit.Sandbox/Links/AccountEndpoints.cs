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

    /// <summary>
    /// 2023-02-18 puts each account's numbers on the account (<c>GetAccountNumbersResponseLegacy20230218</c>);
    /// 2023-12-14 lists them in a top-level <c>numbers</c> (<c>GetAccountNumbersResponse</c>). Not prefetched: no numbers until the first refresh.
    /// </summary>
    private static IResult GetAccountNumbers(string id, HttpContext context, LinkRegistry links) =>
        Read(links, context, id, SandboxProducts.AccountNumbers, link =>
        {
            var fetched = link.Products[SandboxProducts.AccountNumbers].Fetched;
            if (ApiVersions.IsLegacy(context))
            {
                return TypedResults.Json(
                    new AccountNumbersLegacyResponse(
                        [.. link.Accounts.Select(a => new AccountWithNumbersWire(
                            a.Id, a.Type, a.Name, a.Mask, a.Balances(), null, false,
                            Numbers<AccountAchNumberWire>(fetched ? [new AccountAchNumberWire(a.AccountNumber, a.RoutingNumber, null)] : [])))],
                        link.ToWire()),
                    SandboxJsonContext.Default.AccountNumbersLegacyResponse);
            }

            return TypedResults.Json(
                new AccountNumbersResponse(
                    [.. link.Accounts.Select(a => a.ToWire())],
                    Numbers<AchNumberWire>(fetched ? [.. link.Accounts.Select(a => new AchNumberWire(a.Id, a.AccountNumber, a.RoutingNumber, null))] : []),
                    link.ToWire()),
                SandboxJsonContext.Default.AccountNumbersResponse);
        });

    private static AccountNumbersWire<T> Numbers<T>(IReadOnlyList<T> ach) => new(ach, [], [], []);

    private static IResult GetIdentity(string id, HttpContext context, LinkRegistry links) =>
        Read(links, context, id, SandboxProducts.Identity, link =>
        {
            var o = link.Owner;
            var owner = new OwnerWire(
                [o.Name],
                [new AddressWire(o.City, "US", o.PostalCode, o.Region, o.Street, true)],
                [new PhoneNumberWire(o.Phone, true, "mobile")],
                [new EmailWire(o.Email, true)]);
            IReadOnlyList<OwnerWire> owners = link.Products[SandboxProducts.Identity].Fetched ? [owner] : []; // not prefetched: no owners yet
            return TypedResults.Json(
                new IdentityResponse([.. link.Accounts.Select(a => new AccountIdentityWire(a.Id, a.Type, a.Name, a.Mask, a.Balances(), null, false, owners))], link.ToWire()),
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

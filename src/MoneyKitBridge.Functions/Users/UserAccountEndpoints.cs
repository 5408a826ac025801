using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Users;

/// <summary>
/// <c>GET /api/users/{user_id}/accounts</c>: MoneyKit's <c>GetUserAccountsResponse</c> — the customer user's accounts
/// from the snapshot, grouped by link (<c>{"links": {link_id: {"accounts": [...], "last_synced_at": ...}}}</c>),
/// filtered by <c>account_ids</c> and <c>institution_ids</c> as MoneyKit filters them.
/// </summary>
public static class UserAccountEndpoints
{
    public static IEndpointRouteBuilder MapUserAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapBridgeRoute(BridgeRoutes.GetUserAccounts, GetUserAccountsAsync);
        return endpoints;
    }

    internal static async Task<IResult> GetUserAccountsAsync(string user_id, HttpContext context, LinkLifecycle lifecycle, LinkSnapshotReader reader)
    {
        var errors = new List<ValidationError>();
        var accountIds = QueryIdList.Read(context.Request.Query, "account_ids", errors);
        var institutionIds = QueryIdList.Read(context.Request.Query, "institution_ids", errors);
        if (errors.Count > 0)
        {
            return ApiErrorResults.Validation(errors);
        }

        var groups = new List<(string LinkId, IReadOnlyList<string> Accounts, DateTimeOffset? LastSyncedAt)>();
        foreach (var linkId in await lifecycle.GetUserLinkIdsAsync(user_id, context.RequestAborted))
        {
            var state = await reader.GetStateAsync(linkId, context.RequestAborted);
            if (LinkErrors.CheckReadable(state, "accounts") is not null
                || (institutionIds is not null && !institutionIds.Contains(state!.Link?.InstitutionId ?? string.Empty)))
            {
                continue;
            }

            var snapshot = await reader.GetAsync(state!, context.RequestAborted);
            var accounts = snapshot.Accounts.Where(a => accountIds is null || accountIds.Contains(a.AccountId)).Select(a => a.Json).ToList();
            if (accounts.Count > 0 || accountIds is null)
            {
                groups.Add((linkId, accounts, state!.LastSyncAt ?? state.Link?.LastSyncedAt));
            }
        }

        return new RawJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("links");
            foreach (var (linkId, accounts, lastSyncedAt) in groups)
            {
                writer.WriteStartObject(linkId);
                RawJsonResult.WriteRawArray(writer, "accounts", accounts);
                if (lastSyncedAt is { } at)
                {
                    writer.WriteString("last_synced_at", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    writer.WriteNull("last_synced_at");
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }
}

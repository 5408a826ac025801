using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>MoneyKit's link errors, decided from the stored link state the way MoneyKit decides them.</summary>
public static class LinkErrors
{
    /// <summary>
    /// Longest link id the bridge looks up. MoneyKit's ids are about 25 characters; a longer one cannot be a link
    /// (storage keys derived from ids always fit, so this only saves a lookup).
    /// </summary>
    public const int MaxEncodedLinkIdLength = 256;

    /// <summary>False when <paramref name="linkId"/> cannot be the id of any link (answer 404 without a lookup).</summary>
    public static bool CouldBeLinkId(string? linkId) =>
        !string.IsNullOrEmpty(linkId) && linkId.Length <= MaxEncodedLinkIdLength;

    public static IResult NotFound() =>
        ApiErrorResults.Create(StatusCodes.Status404NotFound, "link_error.not_found", "Link not found.");

    public static IResult Deleted() =>
        ApiErrorResults.Create(StatusCodes.Status410Gone, "link_error.deleted", "This link was deleted at some earlier time.");

    /// <summary>
    /// Null when the link's stored data of <paramref name="product"/> may be served: known, not deleted, product granted,
    /// and either connected or synced at least once (last-known data is served for links in error).
    /// </summary>
    public static IResult? CheckReadable(LinkState? state, string product)
    {
        if (state is null)
        {
            return NotFound();
        }

        if (state.IsDeleted)
        {
            return Deleted();
        }

        if (state.Link?.Products is { } products && !Grants(products, product))
        {
            var name = char.ToUpperInvariant(product[0]) + product[1..].Replace('_', ' ');
            return ApiErrorResults.Create(StatusCodes.Status403Forbidden, "link_error.forbidden_action", $"{name} access not permitted");
        }

        if (!state.HasData && state.State != MoneyKitLinkStates.Connected)
        {
            return ApiErrorResults.Create(
                StatusCodes.Status422UnprocessableEntity,
                new ApiError("link_error.bad_state", $"The link is in state '{state.State}' and has no data yet.") { LinkErrorCode = state.ErrorCode ?? state.State });
        }

        return null;
    }

    private static bool Grants(MoneyKitLinkProducts products, string product) => product switch
    {
        "transactions" => products.Transactions is not null,
        "accounts" => products.Accounts is not null,
        "account_numbers" => products.AccountNumbers is not null,
        "identity" => products.Identity is not null,
        _ => true,
    };
}

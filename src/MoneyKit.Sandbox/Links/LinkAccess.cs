using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Auth;

namespace MoneyKit.Sandbox.Links;

/// <summary>Finds the caller's link and applies MoneyKit's error order: 404, 410, 403, 422.</summary>
internal static class LinkAccess
{
    public static (SandboxLink? Link, ErrorResult? Error) Find(LinkRegistry links, HttpContext context, string linkId)
    {
        var link = links.Find(linkId);
        return link is null || !string.Equals(link.ClientId, ApiCaller.ClientId(context), StringComparison.Ordinal)
            ? (null, ErrorResult.LinkNotFound())
            : (link, null);
    }

    /// <summary>For data endpoints. Caller holds the link's lock.</summary>
    public static ErrorResult? CheckReadable(SandboxLink link, string product)
    {
        if (link.State == LinkState.Deleted)
        {
            return ErrorResult.LinkDeleted();
        }

        if (!link.Grants(product))
        {
            return ErrorResult.Forbidden($"{char.ToUpperInvariant(product[0])}{product[1..].Replace('_', ' ')} access not permitted");
        }

        return link.State == LinkState.Connected ? null : ErrorResult.BadState(link.State.ToWire(), link.ErrorCode);
    }
}

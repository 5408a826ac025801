using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Links;

/// <summary>
/// The link tag carrying the customer user a link was created for (<c>bridge_user:{id}</c>): the bridge adds it to every
/// link session, so the exchange, and a reconciliation that finds a link the bridge never stored, know whose link it is.
/// </summary>
public static class LinkOwnerTag
{
    public const string Prefix = "bridge_user:";

    /// <summary>The customer user id tagged on <paramref name="link"/>, or null when the bridge did not create it.</summary>
    public static string? Find(MoneyKitLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var tag = (link.LinkTags ?? link.Tags ?? []).FirstOrDefault(t => t.StartsWith(Prefix, StringComparison.Ordinal));
        return tag is null || tag.Length == Prefix.Length ? null : tag[Prefix.Length..];
    }
}

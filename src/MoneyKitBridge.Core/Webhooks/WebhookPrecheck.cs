using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>What every event is checked against before its own effect.</summary>
internal static class WebhookPrecheck
{
    /// <summary>The outcome every event shares when the link is unknown, deleted or the event's major version is not 1; null otherwise.</summary>
    public static WebhookOutcome? Settle(MoneyKitWebhookEvent e, LinkState? state) =>
        state is null ? WebhookOutcome.UnknownLink
        : e.WebhookMajorVersion != 1 ? WebhookOutcome.UnsupportedVersion
        : state.DeletedAt is not null ? WebhookOutcome.LinkDeleted
        : null;

    public static bool IsKnownState(string? state) =>
        state is MoneyKitLinkStates.Connecting or MoneyKitLinkStates.AwaitingTokenExchange or MoneyKitLinkStates.Connected or MoneyKitLinkStates.Deleted or MoneyKitLinkStates.Error;
}

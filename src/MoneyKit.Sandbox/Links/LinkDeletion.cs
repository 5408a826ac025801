using MoneyKit.Sandbox.Webhooks;

namespace MoneyKit.Sandbox.Links;

/// <summary>Deleting a link (API <c>DELETE /links/{id}</c> or the control surface): tombstone plus MoneyKit's last webhook.</summary>
internal static class LinkDeletion
{
    /// <summary>
    /// Makes the link a tombstone (GET keeps answering with state <c>deleted</c>, data endpoints 410) and sends
    /// <c>link.state_changed</c> with state <c>deleted</c> to the webhook it had; no webhook follows. Caller holds the link's lock.
    /// </summary>
    public static void Delete(SandboxLink link, LinkWebhooks webhooks)
    {
        link.State = LinkState.Deleted;
        link.ErrorCode = null;
        webhooks.SendStateChanged(link);
        link.Webhook = null;
    }
}

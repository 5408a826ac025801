using System.Text.Json;
using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Links;

namespace MoneyKit.Sandbox.Webhooks;

/// <summary>Builds MoneyKit's webhook events for a link and queues them when the link has a webhook URL.</summary>
internal sealed class LinkWebhooks(WebhookDispatcher dispatcher, TimeProvider time)
{
    public const string StateChanged = "link.state_changed";
    public const string ProductRefresh = "link.product_refresh";
    public const string UpdatesAvailable = "transactions.updates_available";

    public static bool IsKnownEvent(string name) => name is StateChanged or ProductRefresh or UpdatesAvailable or "product.state_changed";

    /// <summary>Caller holds the link's lock.</summary>
    public string? SendStateChanged(SandboxLink link, string? idempotencyKey = null)
    {
        if (link.Webhook is null)
        {
            return null;
        }

        var key = idempotencyKey ?? NewKey();
        var body = new LinkStateChangedWebhook(
            StateChanged, 1, 0, Now(), key, link.Id, link.LinkTags, link.State.ToWire(),
            link.State == LinkState.Error ? link.ErrorCode : null,
            link.State == LinkState.Error ? $"The link is in error: {link.ErrorCode}." : null);
        return dispatcher.Enqueue(new WebhookEvent(StateChanged, link.Id, link.Webhook, JsonSerializer.SerializeToUtf8Bytes(body, SandboxJsonContext.Default.LinkStateChangedWebhook), key));
    }

    /// <summary>Caller holds the link's lock.</summary>
    public string? SendProductRefresh(SandboxLink link, string product, string state, string? errorMessage = null, string? idempotencyKey = null)
    {
        if (link.Webhook is null)
        {
            return null;
        }

        var key = idempotencyKey ?? NewKey();
        var now = Now();
        var body = new LinkProductRefreshWebhook(ProductRefresh, 1, 0, now, key, link.Id, link.LinkTags, product, state, now, errorMessage);
        return dispatcher.Enqueue(new WebhookEvent(ProductRefresh, link.Id, link.Webhook, JsonSerializer.SerializeToUtf8Bytes(body, SandboxJsonContext.Default.LinkProductRefreshWebhook), key));
    }

    /// <summary>Caller holds the link's lock.</summary>
    public string? SendUpdatesAvailable(SandboxLink link, bool hasHistory, string? idempotencyKey = null)
    {
        if (link.Webhook is null)
        {
            return null;
        }

        var key = idempotencyKey ?? NewKey();
        var body = new TransactionsUpdatesAvailableWebhook(UpdatesAvailable, 1, 0, Now(), key, link.Id, link.LinkTags, hasHistory);
        return dispatcher.Enqueue(new WebhookEvent(UpdatesAvailable, link.Id, link.Webhook, JsonSerializer.SerializeToUtf8Bytes(body, SandboxJsonContext.Default.TransactionsUpdatesAvailableWebhook), key));
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    private static string NewKey() => Guid.NewGuid().ToString();
}

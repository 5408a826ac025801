namespace MoneyKitBridge.Core.Webhooks;

/// <summary>What processing a verified event did.</summary>
public enum WebhookOutcome
{
    /// <summary>The event changed the link (state, product refresh) or started its sync.</summary>
    Applied,

    /// <summary>A newer event of the same kind was already applied; nothing changed.</summary>
    Stale,

    /// <summary>The idempotency key was processed before; nothing changed.</summary>
    Duplicate,

    /// <summary>The bridge does not know the link; recorded, nothing changed.</summary>
    UnknownLink,

    /// <summary>The link was deleted; recorded, nothing changed.</summary>
    LinkDeleted,

    /// <summary>An event type the bridge does not handle; recorded, nothing changed.</summary>
    UnknownEvent,

    /// <summary>A <c>webhook_major_version</c> other than 1; recorded, nothing changed.</summary>
    UnsupportedVersion,

    /// <summary>A state value the bridge does not know; recorded, nothing changed.</summary>
    UnknownState,

    /// <summary>Storage failed; nothing was committed as processed, so MoneyKit's retry processes it again (answered 503).</summary>
    Failed,

    /// <summary>
    /// Storage refused the event itself (a value outside the service's limits): it can never be stored, so it is
    /// refused once (answered 422) instead of reported as an outage; nothing changed.
    /// </summary>
    Unstorable,
}

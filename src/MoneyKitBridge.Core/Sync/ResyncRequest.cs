using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Sync;

/// <summary>How an operator's request for a full resync ended.</summary>
public enum ResyncRequestStatus
{
    /// <summary>The resync is due (now or already) and a sync was started to run it.</summary>
    Accepted,

    /// <summary>The bridge does not know the link.</summary>
    NotFound,

    /// <summary>The link was deleted.</summary>
    Deleted,
}

/// <summary>The answer to a resync request: the link's state row as stored after it (null when not found).</summary>
public sealed record ResyncRequest(ResyncRequestStatus Status, LinkState? State);

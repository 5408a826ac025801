namespace MoneyKitBridge.Core.Sync;

/// <summary>Why a full resync of a link was asked for (<see cref="Storage.LinkState.ResyncReason"/>).</summary>
public static class ResyncReasons
{
    /// <summary>An operator asked for it (<c>POST /api/ops/links/{link_id}/resync</c>).</summary>
    public const string Operator = "operator";

    /// <summary>MoneyKit rejected the stored <c>transactions/sync</c> cursor.</summary>
    public const string CursorRejected = "cursor_rejected";
}

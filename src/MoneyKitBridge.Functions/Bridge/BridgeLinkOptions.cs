namespace MoneyKitBridge.Functions.Bridge;

/// <summary>What the bridge adds to every link session (section <c>Webhooks</c>).</summary>
public sealed class BridgeLinkOptions
{
    /// <summary>Public URL of this app's webhook function, sent to MoneyKit as the link's webhook.</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>How long the exchange waits for the first sync before answering (the sync goes on afterwards).</summary>
    public TimeSpan FirstSyncWait { get; set; } = TimeSpan.FromSeconds(5);
}

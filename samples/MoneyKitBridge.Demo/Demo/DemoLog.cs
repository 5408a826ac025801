namespace MoneyKitBridge.Demo.Demo;

/// <summary>The demo backend's log messages: link ids and statuses, never tokens or secrets.</summary>
internal static partial class DemoLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Linked {LinkId} through the bridge")]
    public static partial void Linked(ILogger logger, string linkId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Disconnect of {LinkId} answered {Status}")]
    public static partial void Disconnected(ILogger logger, string linkId, int status);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The bridge could not be used (status {Status})")]
    public static partial void BridgeUnavailable(ILogger logger, int status);
}

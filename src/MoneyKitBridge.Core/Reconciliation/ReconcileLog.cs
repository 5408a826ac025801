using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.Core.Reconciliation;

/// <summary>What the reconciliation job logs (link ids and customer user ids; never tokens or link data).</summary>
internal static partial class ReconcileLog
{
    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Reconciliation adopted link {LinkId} of customer user {UserId}: MoneyKit has it, the bridge had not stored it")]
    public static partial void Adopted(ILogger logger, string linkId, string userId);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "Reconciliation found link {LinkId} at MoneyKit that the bridge does not know (customer user {UserId}); not adopted: {Reason}")]
    public static partial void Reported(ILogger logger, string linkId, string userId, string reason);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Warning, Message = "Reconciliation tombstoned link {LinkId}: MoneyKit no longer has it ({Evidence})")]
    public static partial void Tombstoned(ILogger logger, string linkId, string evidence);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Warning, Message = "Reconciliation corrected link {LinkId}: state {Stored} → {Upstream} (error {ErrorCode})")]
    public static partial void Corrected(ILogger logger, string linkId, string? stored, string upstream, string? errorCode);

    [LoggerMessage(EventId = 4305, Level = LogLevel.Warning, Message = "Reconciliation could not check link {LinkId}: MoneyKit answered {Status} {ErrorCode}")]
    public static partial void LinkFailed(ILogger logger, string linkId, int status, string? errorCode);

    [LoggerMessage(EventId = 4306, Level = LogLevel.Warning, Message = "Reconciliation stopped early: MoneyKit answered {Status} {ErrorCode}; the next run continues from the saved position")]
    public static partial void Stopped(ILogger logger, int status, string? errorCode);

    [LoggerMessage(EventId = 4307, Level = LogLevel.Warning, Message = "Reconciliation lost its claim on the walk (another run took it over after the lease expired); stopping")]
    public static partial void LeaseLost(ILogger logger);

    [LoggerMessage(EventId = 4308, Level = LogLevel.Warning, Message = "MoneyKit refused the stored listing cursor ({Status} {ErrorCode}); the listing starts over")]
    public static partial void CursorRefused(ILogger logger, int status, string? errorCode);

    [LoggerMessage(EventId = 4310, Level = LogLevel.Warning, Message = "Reconciliation could not release its claim ({Reason}); it expires after the lease duration")]
    public static partial void ReleaseFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4311, Level = LogLevel.Error, Message = "Reconciliation stopped after tombstoning {Count} links MoneyKit does not know in one run (Reconcile:MaxTombstonesPerRun): check that the MoneyKit credentials are this app's before the next run continues")]
    public static partial void TooManyTombstones(ILogger logger, int count);

    [LoggerMessage(EventId = 4309, Level = LogLevel.Information, Message = "Reconciliation cycle {Cycle} completed")]
    public static partial void CycleCompleted(ILogger logger, long cycle);
}

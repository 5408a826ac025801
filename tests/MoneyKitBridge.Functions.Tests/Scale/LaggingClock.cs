namespace MoneyKitBridge.Functions.Tests.Scale;

/// <summary>
/// System time shifted into the past, as MoneyKit's (the sandbox's) clock: a link's data is already older than the
/// bridge's staleness threshold the moment it is created, so the bridge's refresh timer wants it at once. Timers still
/// run on system time.
/// </summary>
public sealed class LaggingClock(TimeSpan lag) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() - lag;
}

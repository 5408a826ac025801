namespace MoneyKit.Sandbox;

/// <summary>
/// The clock of a standalone sandbox: system time plus an offset that <c>POST /sandbox/clock/advance</c> grows.
/// Timers still run on system time. Tests inject their own <see cref="TimeProvider"/> instead.
/// </summary>
internal sealed class SandboxClock : TimeProvider
{
    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);
}

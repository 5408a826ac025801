namespace MoneyKitBridge.Functions.Logging;

/// <summary>Passes every entry to the real logger after <see cref="LogRedactor"/> (message, state values, exception).</summary>
internal sealed class RedactingLogger(ILogger inner) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        var safeException = RedactedException.For(exception);
        if (RedactedLogState.Create(state, formatter(state, exception)) is { } redacted)
        {
            inner.Log(logLevel, eventId, redacted, safeException, RedactedLogState.Format);
        }
        else
        {
            inner.Log(logLevel, eventId, state, safeException, formatter);
        }
    }
}

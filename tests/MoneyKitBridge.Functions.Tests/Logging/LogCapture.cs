using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.Functions.Tests.Logging;

/// <summary>
/// A logger provider that keeps everything the app logs at every level: each entry's message, state values,
/// exception text and active scopes, as one line of text.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> entries = new();
    private IExternalScopeProvider? scopes;

    public IReadOnlyCollection<string> Entries => entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Clear() => entries.Clear();

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner.scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new List<string> { $"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)}" };
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                line.AddRange(values.Select(v => $"{v.Key}={v.Value}"));
            }

            owner.scopes?.ForEachScope((scope, parts) => parts.Add("scope " + scope), line);
            if (exception is not null)
            {
                line.Add(exception.ToString());
            }

            owner.entries.Enqueue(string.Join(" | ", line));
        }
    }
}

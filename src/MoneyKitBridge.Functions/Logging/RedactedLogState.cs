using System.Collections;

namespace MoneyKitBridge.Functions.Logging;

/// <summary>A log entry's state with every string value and the message passed through <see cref="LogRedactor"/>.</summary>
internal sealed class RedactedLogState(string message, IReadOnlyList<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public static readonly Func<RedactedLogState, Exception?, string> Format = (state, _) => state.ToString();

    public int Count => values.Count;

    public KeyValuePair<string, object?> this[int index] => values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => message;

    /// <summary>The redacted state, or <see langword="null"/> when neither the message nor any value held a credential.</summary>
    public static RedactedLogState? Create<TState>(TState state, string message)
    {
        var redactedMessage = LogRedactor.Redact(message);
        var changed = !ReferenceEquals(redactedMessage, message);
        List<KeyValuePair<string, object?>> redactedValues = [];
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                var text = value switch
                {
                    null or ValueType => null,
                    string s => s,
                    _ => value.ToString(),
                };
                var redacted = text is null ? null : LogRedactor.Redact(text);
                var valueChanged = text is not null && !ReferenceEquals(redacted, text);
                changed |= valueChanged;
                redactedValues.Add(new(key, valueChanged ? redacted : value));
            }
        }

        return changed ? new RedactedLogState(redactedMessage, redactedValues) : null;
    }
}

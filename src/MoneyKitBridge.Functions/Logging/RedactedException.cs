namespace MoneyKitBridge.Functions.Logging;

/// <summary>Stands in for a logged exception whose text held a credential: same type name and stack, redacted text.</summary>
internal sealed class RedactedException : Exception
{
    private readonly string text;

    private RedactedException(Exception original, string text)
        : base(LogRedactor.Redact(original.Message)) => this.text = text;

    public override string? StackTrace => null;

    public override string ToString() => text;

    /// <summary><paramref name="exception"/> itself when its text holds no credential, else a redacted stand-in.</summary>
    public static Exception? For(Exception? exception)
    {
        if (exception is null)
        {
            return null;
        }

        var original = exception.ToString();
        var redacted = LogRedactor.Redact(original);
        return ReferenceEquals(redacted, original) ? exception : new RedactedException(exception, redacted);
    }
}

namespace MoneyKit.Sandbox.Control;

/// <summary>
/// What an API handler adds to its request's <see cref="RequestLog"/> entry, so a test can follow from the log alone how
/// a client walked the sync feed (<see cref="NextCursor"/>, <see cref="HasMore"/>) and which products a refresh asked
/// for (<see cref="Products"/>).
/// </summary>
internal sealed record RequestLogNote(string? NextCursor = null, bool? HasMore = null, IReadOnlyList<string>? Products = null)
{
    private static readonly object Key = new();

    public static void Set(HttpContext context, RequestLogNote note) => context.Items[Key] = note;

    public static RequestLogNote? Get(HttpContext context) => context.Items.TryGetValue(Key, out var note) ? note as RequestLogNote : null;
}

namespace MoneyKitBridge.Functions.Secrets;

/// <summary>A secret the app cannot start without.</summary>
/// <param name="Name">Configuration-form name, e.g. <c>Auth:SigningKey</c>.</param>
/// <param name="Validate">Returns a problem description for a malformed value (never echoing it), or <see langword="null"/>.</param>
public sealed record RequiredSecret(string Name, Func<string, string?>? Validate = null);

using System.Text.Json;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// A link object's JSON parsed on first use and kept (thread-safe). Equality-neutral: every instance equals every
/// other, so a <see cref="LinkState"/> holding one compares by its JSON string alone (record equality compares fields).
/// </summary>
internal sealed class ParsedLink(string json)
{
    private readonly Lazy<MoneyKitLink?> link = new(() => JsonSerializer.Deserialize(json, MoneyKitJsonContext.Default.MoneyKitLink));

    public MoneyKitLink? Value => link.Value;

    public override bool Equals(object? obj) => obj is ParsedLink;

    public override int GetHashCode() => 0;
}

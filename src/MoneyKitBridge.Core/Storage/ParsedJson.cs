using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// A JSON column parsed on first use and kept (thread-safe). Equality-neutral: every instance equals every other, so
/// a <see cref="LinkState"/> holding one compares by its JSON string alone (record equality compares fields).
/// </summary>
internal sealed class ParsedJson<T>(string json, JsonTypeInfo<T> type)
{
    private readonly Lazy<T?> value = new(() => JsonSerializer.Deserialize(json, type));

    public T? Value => value.Value;

    public override bool Equals(object? obj) => obj is ParsedJson<T>;

    public override int GetHashCode() => 0;
}

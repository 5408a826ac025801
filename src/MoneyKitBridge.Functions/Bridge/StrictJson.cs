using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>
/// Checks a JSON body before anything binds it: well-formed (else 400), and every property name and string valid
/// UTF-8 without unpaired surrogates or NUL, and no object repeating a key (else 422). What passes can be read with
/// <see cref="JsonSerializer"/> or <see cref="System.Text.Json.Nodes.JsonNode"/> without an exception other than a
/// shape mismatch.
/// </summary>
internal static class StrictJson
{
    /// <summary>Deepest nesting accepted (the serializer's default).</summary>
    public const int MaxDepth = 64;

    public static bool TryCheck(ReadOnlySpan<byte> json, [NotNullWhen(false)] out IResult? error)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var keys = new Stack<HashSet<string>?>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        keys.Push(null);
                        break;
                    case JsonTokenType.StartArray:
                        keys.Push(null);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        keys.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        var seen = keys.Pop() ?? new HashSet<string>(StringComparer.Ordinal);
                        keys.Push(seen);
                        if (!seen.Add(name))
                        {
                            error = RequestErrors.Malformed("The request body repeats a key in one JSON object.");
                            return false;
                        }

                        if (name.Contains('\0', StringComparison.Ordinal))
                        {
                            error = RequestErrors.Malformed("The request body holds a NUL character.");
                            return false;
                        }

                        break;
                    case JsonTokenType.String when reader.GetString()!.Contains('\0', StringComparison.Ordinal):
                        error = RequestErrors.Malformed("The request body holds a NUL character.");
                        return false;
                }
            }
        }
        catch (JsonException)
        {
            error = RequestErrors.NotJson("The request body is not valid JSON.");
            return false;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader.GetString: invalid UTF-8, or an escaped unpaired surrogate such as "\ud800".
            error = RequestErrors.Malformed("The request body holds text that is not valid UTF-8 or an unpaired surrogate.");
            return false;
        }

        error = null;
        return true;
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoneyKitBridge.Testing.Contract;

/// <summary>What a JSON value must look like: a compact stand-in for the OpenAPI schema behind a MoneyKit model.</summary>
public abstract record Shape
{
    /// <summary>Every way <paramref name="node"/> breaks this shape, each as "path: problem".</summary>
    public abstract IEnumerable<string> Check(JsonNode node, string path);
}

/// <summary>A property: <paramref name="Required"/> means it must be present, <paramref name="Nullable"/> that null is allowed.</summary>
public sealed record Field(string Name, Shape Shape, bool Required = true, bool Nullable = false);

/// <summary>An object with named fields. Extra properties are allowed: MoneyKit adds fields without a new version.</summary>
public sealed record ObjectShape(string Model, IReadOnlyList<Field> Fields) : Shape
{
    public override IEnumerable<string> Check(JsonNode node, string path)
    {
        if (node is not JsonObject obj)
        {
            yield return $"{path}: {Model} must be an object, got {node.GetValueKind()}";
            yield break;
        }

        foreach (var field in Fields)
        {
            var at = $"{path}.{field.Name}";
            if (!obj.TryGetPropertyValue(field.Name, out var value))
            {
                if (field.Required)
                {
                    yield return $"{at}: required by {Model}, missing";
                }

                continue;
            }

            if (value is null)
            {
                if (!field.Nullable)
                {
                    yield return $"{at}: null, but {Model} does not allow null";
                }

                continue;
            }

            foreach (var problem in field.Shape.Check(value, at))
            {
                yield return problem;
            }
        }
    }
}

public sealed record ArrayShape(Shape Items) : Shape
{
    public override IEnumerable<string> Check(JsonNode node, string path)
    {
        if (node is not JsonArray array)
        {
            return [$"{path}: must be an array, got {node.GetValueKind()}"];
        }

        return array.SelectMany((item, i) => item is null ? [$"{path}[{i}]: null item"] : Items.Check(item, $"{path}[{i}]"));
    }
}

/// <summary>An object used as a map (e.g. <c>products</c> by product name).</summary>
public sealed record MapShape(Shape Values, IReadOnlyList<string>? Keys = null) : Shape
{
    public override IEnumerable<string> Check(JsonNode node, string path)
    {
        if (node is not JsonObject obj)
        {
            return [$"{path}: must be an object, got {node.GetValueKind()}"];
        }

        return obj.SelectMany(p =>
            Keys is not null && !Keys.Contains(p.Key) ? [$"{path}.{p.Key}: not one of {string.Join("|", Keys)}"]
            : p.Value is null ? []
            : Values.Check(p.Value, $"{path}.{p.Key}"));
    }
}

public enum Format
{
    None,
    Date,
    DateTime,
    DecimalNumber,
}

public sealed record StringShape(IReadOnlyList<string>? Enum = null, Format Format = Format.None) : Shape
{
    public override IEnumerable<string> Check(JsonNode node, string path)
    {
        // A decimal may come as a JSON number or a string (MoneyKit's models type amounts as strings, its examples as numbers).
        if (Format == Format.DecimalNumber && node.GetValueKind() == JsonValueKind.Number)
        {
            yield break;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            yield return $"{path}: must be a string, got {node.GetValueKind()}";
            yield break;
        }

        var text = node.GetValue<string>();
        if (Enum is not null && !Enum.Contains(text))
        {
            yield return $"{path}: '{text}' is not one of {string.Join("|", Enum)}";
        }

        var ok = Format switch
        {
            Format.Date => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            Format.DateTime => text.Length >= 19 && text[10] == 'T' && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _),
            Format.DecimalNumber => decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
            _ => true,
        };
        if (!ok)
        {
            yield return $"{path}: '{text}' is not a {Format}";
        }
    }
}

public sealed record ScalarShape(JsonValueKind Kind) : Shape
{
    public override IEnumerable<string> Check(JsonNode node, string path)
    {
        var kind = node.GetValueKind();
        var ok = Kind == JsonValueKind.True ? kind is JsonValueKind.True or JsonValueKind.False : kind == Kind;
        if (!ok)
        {
            yield return $"{path}: must be {(Kind == JsonValueKind.True ? "a boolean" : Kind.ToString())}, got {kind}";
        }
    }
}

/// <summary>Any JSON value (e.g. <c>raw_provider_data</c>).</summary>
public sealed record AnyShape : Shape
{
    public override IEnumerable<string> Check(JsonNode node, string path) => [];
}

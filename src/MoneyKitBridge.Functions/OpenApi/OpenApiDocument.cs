using System.Text.Json;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.OpenApi;

/// <summary>
/// The one OpenAPI 3.1 document of the app, written from <see cref="BridgeRoutes.All"/> (paths, methods, operation ids,
/// tags, summaries, path parameters, bearer scopes). Both modes serve these very bytes; timers are not routes, so they
/// are not in it.
/// </summary>
public static class OpenApiDocument
{
    /// <summary>The one document name served (<c>/api/openapi/v1.json</c>).</summary>
    public const string Name = "v1";

    /// <summary>The media type the document is served with.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    private const string BearerScheme = "Bearer";

    private static readonly Lazy<byte[]> Document = new(() => Write(BridgeRoutes.All));

    /// <summary>The UTF-8 JSON of the document of <see cref="BridgeRoutes.All"/>.</summary>
    public static ReadOnlyMemory<byte> Utf8 => Document.Value;

    /// <summary>Writes the document of <paramref name="routes"/>.</summary>
    public static byte[] Write(IReadOnlyList<BridgeRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("openapi", "3.1.1");
            json.WriteStartObject("info");
            json.WriteString("title", "MoneyKit Bridge");
            json.WriteString("version", Name);
            json.WriteEndObject();
            json.WriteStartObject("paths");
            foreach (var path in routes.GroupBy(r => r.Path))
            {
                json.WriteStartObject(path.Key);
                foreach (var route in path)
                {
                    WriteOperation(json, route);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartObject("components");
            json.WriteStartObject("securitySchemes");
            json.WriteStartObject(BearerScheme);
            json.WriteString("type", "http");
            json.WriteString("scheme", "bearer");
            json.WriteString("bearerFormat", "JWT");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteOperation(Utf8JsonWriter json, BridgeRoute route)
    {
        json.WriteStartObject(route.Method);
        json.WriteString("operationId", route.Name);
        json.WriteStartArray("tags");
        json.WriteStringValue(route.Tag);
        json.WriteEndArray();
        json.WriteString("summary", route.Summary);
        var parameters = PathParameters(route.Route).ToList();
        if (parameters.Count > 0)
        {
            json.WriteStartArray("parameters");
            foreach (var parameter in parameters)
            {
                json.WriteStartObject();
                json.WriteString("name", parameter);
                json.WriteString("in", "path");
                json.WriteBoolean("required", true);
                json.WriteStartObject("schema");
                json.WriteString("type", "string");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (route.Scope is not null)
        {
            json.WriteStartArray("security");
            json.WriteStartObject();
            json.WriteStartArray(BearerScheme);
            json.WriteStringValue(route.Scope);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    // "links/{link_id}/accounts" -> link_id
    private static IEnumerable<string> PathParameters(string route) =>
        route.Split('/')
            .SelectMany(segment => segment.Split('{').Skip(1))
            .Select(part => part[..part.IndexOf('}', StringComparison.Ordinal)]);
}

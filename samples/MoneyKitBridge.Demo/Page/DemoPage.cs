using System.Reflection;
using MoneyKitBridge.Demo.Demo;

namespace MoneyKitBridge.Demo.Page;

/// <summary>Serves the demo page and its script and style, embedded in the assembly (no CDN, no external font or script).</summary>
public static class DemoPage
{
    public static void MapDemoPage(this WebApplication app)
    {
        var html = Read("index.html");
        var script = Read("app.js");
        var style = Read("app.css");
        app.MapGet("/", (HttpContext context, string? user) =>
        {
            // ?user=NAME picks the demo user; otherwise the browser keeps (or gets) its own.
            _ = DemoUser.IsValid(user) ? DemoUser.Assign(context, user!) : DemoUser.Of(context);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Content(html, "text/html; charset=utf-8");
        });
        app.MapGet("/app.js", () => TypedResults.Content(script, "text/javascript; charset=utf-8"));
        app.MapGet("/app.css", () => TypedResults.Content(style, "text/css; charset=utf-8"));
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Page/" + name)
            ?? throw new InvalidOperationException($"The page resource {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

namespace MoneyKitBridge.Bench.Http;

/// <summary>
/// The floor of issue 7's benchmark: a minimal Kestrel app, started as its own process exactly like the bridge
/// (<c>dotnet app.dll --urls ...</c>, same environment), that answers the transactions route with the bridge's own
/// response bytes captured once, pre-serialized.
/// </summary>
internal static class BaselineServer
{
    public const string Command = "serve-baseline";

    /// <summary>Runs until killed: <c>serve-baseline --body {file} --urls {url}</c>.</summary>
    public static async Task RunAsync(string[] args)
    {
        var bodyIndex = Array.IndexOf(args, "--body");
        if (bodyIndex < 0 || bodyIndex + 1 >= args.Length)
        {
            throw new ArgumentException("serve-baseline needs --body {file}.");
        }

        var body = await File.ReadAllBytesAsync(args[bodyIndex + 1]);
        var builder = WebApplication.CreateBuilder(args);
        var app = builder.Build();
        app.MapGet("/", () => Results.Ok());
        app.MapGet("/api/links/{link_id}/transactions", (string link_id, HttpContext context) =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
        });
        await app.RunAsync();
    }
}

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => Results.Ok());
await app.RunAsync();

/// <summary>Marker for tests that host the bridge.</summary>
public partial class Program;

using MoneyKitBridge.Demo;
using MoneyKitBridge.Demo.Bridge;
using MoneyKitBridge.Demo.Demo;
using MoneyKitBridge.Demo.Page;

// dotnet MoneyKitBridge.Demo.dll --urls http://127.0.0.1:5080 with Demo__BridgeUrl, Demo__ClientId, Demo__ClientSecret, Demo__ConnectUrl set.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddBridgeClient();
var app = builder.Build();
app.MapDemoPage();
app.MapDemoEndpoints();
await app.RunAsync();

namespace MoneyKitBridge.Demo
{
    /// <summary>Marker type for the demo app's assembly.</summary>
    public sealed class DemoApp;
}

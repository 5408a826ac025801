using MoneyKit.Sandbox;

// Standalone: dotnet run --project src/MoneyKit.Sandbox -- --urls http://127.0.0.1:5005
var builder = WebApplication.CreateBuilder(args);
var options = new SandboxOptions();
var section = builder.Configuration.GetSection(SandboxOptions.SectionName);
section.Bind(options);
var configuredApps = section.GetSection("Apps").GetChildren()
    .Select(app => new SandboxApp(app["ClientId"] ?? string.Empty, app["ClientSecret"] ?? string.Empty))
    .ToList();
if (configuredApps.Count > 0)
{
    options.Apps.Clear();
    foreach (var app in configuredApps)
    {
        options.Apps.Add(app);
    }
}

builder.Services.AddMoneyKitSandbox(options, new SandboxClock());
var web = builder.Build();
web.UseMoneyKitSandbox();
await web.RunAsync();

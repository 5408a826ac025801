using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Functions.OpenApi;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// The layout of a published package, from a real <c>dotnet publish</c> of the app into a temporary folder, published as
/// <c>scripts/publish.sh</c> publishes it (self-contained linux-x64, the app host as the worker's executable) except for
/// ReadyToRun, which only precompiles the same assemblies and would take the suite close to two minutes more.
/// </summary>
public sealed class PublishedPackageLayoutTests(PublishedPackageLayoutTests.Package package) : IClassFixture<PublishedPackageLayoutTests.Package>
{
    private const string AppName = "MoneyKitBridge.Functions";

    [Fact]
    public void Host_json_has_no_custom_handler_and_the_api_route_prefix()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(package.PathOf("host.json")));

        Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        Assert.False(host.RootElement.TryGetProperty("customHandler", out _));
        Assert.Equal("api", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void Functions_metadata_has_one_entry_per_route_of_the_table_and_the_timers_and_nothing_else()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(package.PathOf("functions.metadata")));
        var functions = json.RootElement.EnumerateArray().ToList();
        string? Text(JsonElement trigger, string name) => trigger.TryGetProperty(name, out var value) ? value.GetString() : null;
        var declared = functions.Select(f =>
        {
            var trigger = Assert.Single(f.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("direction").GetString() == "In");
            var methods = trigger.TryGetProperty("methods", out var list) ? string.Join(",", list.EnumerateArray().Select(m => m.GetString())) : null;
            return (Name: f.GetProperty("name").GetString()!, Type: Text(trigger, "type"), Methods: methods, Route: Text(trigger, "route"),
                AuthLevel: Text(trigger, "authLevel"), Schedule: Text(trigger, "schedule"));
        }).ToList();

        var expected = BridgeRoutes.All
            .Select(r => (r.Name, Type: (string?)"httpTrigger", Methods: (string?)r.Method, Route: (string?)r.Route, AuthLevel: (string?)"Anonymous", Schedule: (string?)null))
            .Append((BridgeRoutes.RefreshStaleLinks, "timerTrigger", null, null, null, "%RefreshStaleLinks:Schedule%"))
            .Append((BridgeRoutes.Reconcile, "timerTrigger", null, null, null, "%Reconcile:Schedule%"));
        // Method and auth level names are case-insensitive to the host.
        Assert.Equal(
            expected.Select(e => e.ToString().ToUpperInvariant()).Order(StringComparer.Ordinal),
            declared.Select(d => d.ToString().ToUpperInvariant()).Order(StringComparer.Ordinal));
        Assert.All(functions, f => Assert.Equal($"{AppName}.dll", f.GetProperty("scriptFile").GetString()));
    }

    [Fact]
    public void Worker_config_starts_the_published_worker_and_the_published_executable_is_executable()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(package.PathOf("worker.config.json")));
        var description = config.RootElement.GetProperty("description");
        var executable = description.GetProperty("defaultExecutablePath").GetString();
        var worker = description.GetProperty("defaultWorkerPath").GetString();

        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        // Self-contained: the host runs the app host next to the assembly, not `dotnet <worker>`.
        Assert.Equal("{WorkerRoot}" + AppName, executable);
        Assert.Equal($"{AppName}.dll", worker);
        Assert.True(File.Exists(package.PathOf(worker!)), worker + " is published");
        var apphost = package.PathOf(AppName);
        Assert.True(File.Exists(apphost), "the app host executable is published");
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.GetUnixFileMode(apphost).HasFlag(UnixFileMode.UserExecute), "the app host has its exec bit");
        }
    }

    [Fact]
    public void No_function_json_folders_are_published()
    {
        var functionJson = Directory.GetFiles(package.Folder, "function.json", SearchOption.AllDirectories);

        Assert.Empty(functionJson);
        Assert.True(File.Exists(package.PathOf("functions.metadata")));
    }

    [Fact]
    public async Task The_published_app_starts_standalone_and_serves_its_routes()
    {
        // Started as its own executable, the way the host starts it: no installed .NET runtime involved.
        await using var app = StandaloneProcess.Start(StandaloneProcess.ValidSettings(), appDll: package.PathOf(AppName));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await app.WaitUntilReadyAsync(client);
        using var response = await client.GetAsync(new Uri(app.BaseAddress, "api/openapi/v1.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OpenApiDocument.Utf8.ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Publishes the app once for the class into a temporary folder, removed afterwards.</summary>
    public sealed class Package : IAsyncLifetime
    {
        public string Folder { get; } = Path.Combine(Path.GetTempPath(), "moneykit-bridge-publish-" + Guid.NewGuid().ToString("N"));

        public string PathOf(string name) => Path.Combine(Folder, name);

        public async Task InitializeAsync()
        {
            // Tests run from artifacts/bin/<TestProject>/<config>/: publish the app in the same configuration. The RID build
            // goes to its own folders (artifacts/*/<config>_linux-x64), so the suite's binaries are untouched.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
            configuration = char.ToUpperInvariant(configuration[0]) + configuration[1..];
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList =
                {
                    "publish", Path.Combine(RepositoryLayout.Root, "src", AppName, AppName + ".csproj"),
                    "--configuration", configuration, "--runtime", "linux-x64", "--self-contained", "true", "--output", Folder,
                    "-p:UseAppHost=true", "-p:PublishReadyToRun=false", "-nologo", "--verbosity", "quiet",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(6));
            await process.WaitForExitAsync(deadline.Token);
            Assert.True(process.ExitCode == 0, $"dotnet publish failed ({process.ExitCode}): {await output} {await errors}");
        }

        public Task DisposeAsync()
        {
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }

            return Task.CompletedTask;
        }
    }
}

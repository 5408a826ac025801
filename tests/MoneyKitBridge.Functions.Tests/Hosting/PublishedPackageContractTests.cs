using System.Text.Json;
using System.Xml.Linq;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// Static checks of the package's contract: <c>host.json</c> is an isolated-worker host.json, the build writes
/// <c>worker.config.json</c> for the assembly, and <c>scripts/publish.sh</c> publishes the self-contained executable
/// with the generated files next to it (running the script takes close to two minutes here; the layout of a real,
/// framework-dependent publish is checked by <see cref="PublishedPackageLayoutTests"/>).
/// </summary>
public sealed class PublishedPackageContractTests
{
    private static readonly string Root = RepositoryLayout.Root;

    [Fact]
    public void Host_json_has_no_custom_handler_and_the_route_prefix_of_the_route_table()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "host.json")));

        Assert.False(host.RootElement.TryGetProperty("customHandler", out _));
        Assert.Equal(BridgeRoutes.Prefix, host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.True(File.Exists(Path.Combine(BuiltMetadata.AppOutput, "host.json")), "host.json is copied into the build output");
    }

    [Fact]
    public void No_function_folders_remain_the_build_writes_functions_metadata()
    {
        var folders = Directory.GetDirectories(Root).Where(d => File.Exists(Path.Combine(d, "function.json"))).ToList();

        Assert.Empty(folders);
        Assert.NotEmpty(BuiltMetadata.Read());
    }

    [Fact]
    public void Worker_config_starts_the_dotnet_isolated_worker_built_from_the_assembly()
    {
        var assemblyName = typeof(FunctionsAppMarker).Assembly.GetName().Name;
        var project = XDocument.Load(Path.Combine(Root, "src", "MoneyKitBridge.Functions", "MoneyKitBridge.Functions.csproj"));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(BuiltMetadata.AppOutput, "worker.config.json")));
        var description = config.RootElement.GetProperty("description");

        Assert.Equal(assemblyName, project.Descendants("AssemblyName").Select(e => e.Value.Trim()).SingleOrDefault());
        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal($"{assemblyName}.dll", description.GetProperty("defaultWorkerPath").GetString());
    }

    [Fact]
    public void Publish_script_publishes_the_self_contained_worker_with_its_generated_files()
    {
        var script = File.ReadAllText(Path.Combine(Root, "scripts", "publish.sh"));

        Assert.Contains("src/MoneyKitBridge.Functions/MoneyKitBridge.Functions.csproj", script, StringComparison.Ordinal);
        Assert.Contains("--runtime linux-x64 --self-contained true", script, StringComparison.Ordinal);
        Assert.Contains("--output \"$out\"", script, StringComparison.Ordinal);
        Assert.Contains("worker=\"$out/MoneyKitBridge.Functions\"", script, StringComparison.Ordinal);
        Assert.Contains("chmod 755 \"$worker\"", script, StringComparison.Ordinal);
        Assert.Contains("for generated in host.json functions.metadata worker.config.json", script, StringComparison.Ordinal);
        Assert.DoesNotContain("function.json", script, StringComparison.Ordinal);
    }
}

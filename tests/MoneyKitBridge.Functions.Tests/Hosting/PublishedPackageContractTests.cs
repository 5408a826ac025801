using System.Text.Json;
using System.Xml.Linq;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// Static checks of the published package's contract (publishing takes ~30 s, so it is not run here):
/// <c>host.json</c> starts the executable that <c>scripts/publish.sh</c> produces, from the folder it publishes to,
/// on the port the host hands over.
/// </summary>
public sealed class PublishedPackageContractTests
{
    private static readonly string Root = FunctionFolders.RepositoryRoot;

    [Fact]
    public void Host_json_names_the_handler_executable_built_from_the_assembly_name()
    {
        var assemblyName = typeof(FunctionsAppMarker).Assembly.GetName().Name;
        var project = XDocument.Load(Path.Combine(Root, "src", "MoneyKitBridge.Functions", "MoneyKitBridge.Functions.csproj"));
        var declaredName = project.Descendants("AssemblyName").Select(e => e.Value.Trim()).SingleOrDefault();
        using var host = HostJson();
        var description = host.RootElement.GetProperty("customHandler").GetProperty("description");

        Assert.Equal(assemblyName, declaredName);
        Assert.Equal($"handler/{assemblyName}", description.GetProperty("defaultExecutablePath").GetString());
        Assert.Equal("handler", description.GetProperty("workingDirectory").GetString());
    }

    [Fact]
    public void Host_json_binds_the_handler_to_the_loopback_port_the_host_hands_over_and_forwards_requests()
    {
        using var host = HostJson();
        var customHandler = host.RootElement.GetProperty("customHandler");
        var arguments = customHandler.GetProperty("description").GetProperty("arguments").EnumerateArray().Select(a => a.GetString()).ToList();

        Assert.Equal(["--urls", $"http://127.0.0.1:%{CustomHandlerHosting.PortVariable}%"], arguments);
        Assert.True(customHandler.GetProperty("enableForwardingHttpRequest").GetBoolean());
    }

    [Fact]
    public void Publish_script_builds_the_handler_into_the_path_host_json_names()
    {
        using var host = HostJson();
        var executable = host.RootElement.GetProperty("customHandler").GetProperty("description").GetProperty("defaultExecutablePath").GetString()!;
        var folder = executable[..executable.IndexOf('/', StringComparison.Ordinal)];
        var script = File.ReadAllText(Path.Combine(Root, "scripts", "publish.sh"));

        Assert.Contains("src/MoneyKitBridge.Functions/MoneyKitBridge.Functions.csproj", script, StringComparison.Ordinal);
        Assert.Contains($"--output \"$out/{folder}\"", script, StringComparison.Ordinal);
        Assert.Contains("--runtime linux-x64 --self-contained true", script, StringComparison.Ordinal);
        Assert.Contains($"handler=\"$out/{executable}\"", script, StringComparison.Ordinal);
        Assert.Contains("chmod 755 \"$handler\"", script, StringComparison.Ordinal);
        Assert.Contains($"\"$expected\" != \"{executable}\"", script, StringComparison.Ordinal);
    }

    private static JsonDocument HostJson() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "host.json")));
}

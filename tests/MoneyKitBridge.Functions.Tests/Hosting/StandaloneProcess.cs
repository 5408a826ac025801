using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// The built app (<c>dotnet MoneyKitBridge.Functions.dll</c>) started in standalone mode (no Functions host endpoint),
/// listening on a free loopback port, with the given settings as environment variables.
/// </summary>
public sealed class StandaloneProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> stdout = new();
    private readonly ConcurrentQueue<string> stderr = new();

    private StandaloneProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public IReadOnlyCollection<string> StandardOutput => stdout;

    public IReadOnlyCollection<string> StandardError => stderr;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public static string AppDll
    {
        get
        {
            // Tests run from artifacts/bin/<TestProject>/<config>/; the app is built to artifacts/bin/MoneyKitBridge.Functions/<config>/.
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var path = Path.Combine(testOutput.Parent!.Parent!.FullName, "MoneyKitBridge.Functions", testOutput.Name, "MoneyKitBridge.Functions.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build src/MoneyKitBridge.Functions first.", path);
        }
    }

    /// <summary>Valid settings: the secrets the app needs to start.</summary>
    public static Dictionary<string, string?> ValidSettings() => new()
    {
        ["Auth__SigningKey"] = BridgeAppFactory.SigningKeyBase64,
        ["Auth__Clients"] = BridgeAppFactory.ClientsJson(),
        ["Storage__ConnectionString"] = TestStorage.ConnectionString,
        ["Storage__TablePrefix"] = TestStorage.UniqueTableName("h"),
        ["MoneyKit__BaseUrl"] = "http://127.0.0.1:9/",
        ["MoneyKit__ClientId"] = "sandbox_client_id",
        ["MoneyKit__ClientSecret"] = "sandbox_client_secret",
    };

    /// <summary>Starts <paramref name="appDll"/> (default: the build's) with <c>dotnet</c>, or a published app host executable as itself.</summary>
    public static StandaloneProcess Start(IDictionary<string, string?> settings, int? port = null, string? appDll = null)
    {
        var chosenPort = port ?? LoopbackPort.Free();
        var app = appDll ?? AppDll;
        var executable = app.EndsWith(".dll", StringComparison.Ordinal) ? null : app;
        return Launch(
            executable,
            [.. executable is null ? new[] { app } : [], "--urls", $"http://127.0.0.1:{chosenPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}"],
            new Dictionary<string, string?>(),
            settings,
            Path.GetTempPath(),
            chosenPort);
    }

    /// <summary>
    /// The built app started as the Functions host starts a <c>dotnet-isolated</c> worker: the host's command line
    /// (<paramref name="arguments"/>), the app folder as working directory and in the variables the host sets for the
    /// worker. It then runs as the worker, not standalone (see HostStandIn).
    /// </summary>
    public static StandaloneProcess StartWorker(IReadOnlyList<string> arguments, IDictionary<string, string?> settings, string appDirectory)
    {
        var environment = new Dictionary<string, string?>
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory,
            ["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory,
        };
        return Launch(null, [AppDll, .. arguments], environment, settings, appDirectory, port: 0);
    }

    private static StandaloneProcess Launch(
        string? executable, IReadOnlyList<string> arguments, Dictionary<string, string?> environment, IDictionary<string, string?> settings, string workingDirectory, int port)
    {
        var start = new ProcessStartInfo(executable ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(IsHostVariable).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment.Concat(settings))
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new StandaloneProcess(process, port);
        process.OutputDataReceived += (_, e) => Collect(app.stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(app.stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Polls <c>GET /api/openapi/v1.json</c> until the app answers 200 (or exits).</summary>
    public async Task WaitUntilReadyAsync(HttpClient client)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            Assert.False(process.HasExited, "the app exited: " + string.Join(Environment.NewLine, stderr));
            try
            {
                using var response = await client.GetAsync(new Uri(BaseAddress, "api/openapi/v1.json"), deadline.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }
    }

    /// <summary>
    /// Waits until a line of standard output contains <paramref name="fragment"/>. The app's console logger writes
    /// on its own thread and the lines reach this process through a pipe, so a line may arrive after the app
    /// already answers requests.
    /// </summary>
    public async Task WaitForOutputAsync(string fragment)
    {
        bool Printed() => stdout.Any(l => l.Contains(fragment, StringComparison.Ordinal));
        await Eventually.TrueAsync(() => Printed() || process.HasExited, $"the app to print \"{fragment}\"");
        Assert.True(Printed(), $"the app exited without printing \"{fragment}\": " + string.Join(Environment.NewLine, stderr));
    }

    public async Task<int> WaitForExitAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        process.WaitForExit(); // flushes the redirected streams
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static bool IsHostVariable(string key) =>
        key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("FUNCTIONS_", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Auth__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("KeyVault__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Standalone__", StringComparison.OrdinalIgnoreCase)
        || key.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase);

    private static void Collect(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }
}

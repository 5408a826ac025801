using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Browser.Tests.Hosting;

/// <summary>
/// A built app (<c>dotnet X.dll --urls http://127.0.0.1:{port}</c>) from the solution's artifacts, with its settings as
/// environment variables (never on the command line), stopped with its process tree. The browser and the apps talk over
/// loopback exactly as in <c>scripts/run-local.sh</c>.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private static readonly string[] HostVariablePrefixes = ["ASPNETCORE_", "FUNCTIONS_", "Auth__", "KeyVault__", "Standalone__", "Demo__", "DOTNET_ENVIRONMENT"];

    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private AppProcess(string name, Process process, int port)
    {
        Name = name;
        this.process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    /// <summary>
    /// Starts project <paramref name="project"/>'s build output (built with this test project: it references it) on a free
    /// port, with the settings <paramref name="settings"/> makes for its address.
    /// </summary>
    public static AppProcess Start(string project, Func<Uri, IReadOnlyDictionary<string, string>> settings)
    {
        // Tests run from artifacts/bin/<TestProject>/<config>/; each app is built to artifacts/bin/<Project>/<config>/.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(testOutput.Parent!.Parent!.FullName, project, testOutput.Name, project + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build {project} first.", dll);
        }

        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        foreach (var key in start.Environment.Keys.Where(k => HostVariablePrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(key);
        }

        var app = new AppProcess(project, new Process { StartInfo = start }, port);
        foreach (var (key, value) in settings(app.BaseAddress))
        {
            start.Environment[key] = value;
        }

        var process = app.process;
        process.OutputDataReceived += (_, e) => app.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => app.Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Polls <paramref name="path"/> until it answers 200; fails with the app's output if it exits or never answers.</summary>
    public async Task WaitUntilReadyAsync(HttpClient http, string path)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited during start:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, path), deadline.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"{Name} did not answer GET {path} within 90 s:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }
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

    /// <summary>The app's last <paramref name="lines"/> output lines (for a failure message).</summary>
    public string RecentOutput(int lines) => string.Join(Environment.NewLine, output.Skip(Math.Max(0, output.Count - lines)));

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 2000 && output.TryDequeue(out _))
        {
        }
    }
}

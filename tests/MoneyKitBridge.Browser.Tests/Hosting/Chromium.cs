namespace MoneyKitBridge.Browser.Tests.Hosting;

/// <summary>
/// The Chromium the tests drive: <c>BRIDGE_TEST_CHROMIUM</c> when set, else <c>chromium</c> (Debian's package) or
/// <c>chromium-browser</c> on PATH. Playwright never downloads a browser here; <c>scripts/test.sh</c> installs the package.
/// </summary>
public static class Chromium
{
    /// <summary>Environment variable naming the Chromium executable to use instead of the one on PATH.</summary>
    public const string ExecutableVariable = "BRIDGE_TEST_CHROMIUM";

    private static readonly string[] Names = ["chromium", "chromium-browser"];

    /// <exception cref="InvalidOperationException">No Chromium was found.</exception>
    public static string ExecutablePath()
    {
        if (Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{ExecutableVariable}={configured} does not exist.");
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in Names)
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException(
            $"Chromium not found on PATH. Install Debian's package (apt-get install -y chromium; scripts/test.sh does it) or set {ExecutableVariable}.");
    }
}

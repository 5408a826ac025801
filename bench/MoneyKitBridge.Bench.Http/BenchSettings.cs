using System.Globalization;

namespace MoneyKitBridge.Bench.Http;

/// <summary>Run settings: storage from <c>BRIDGE_TEST_STORAGE</c>, the built bridge, load shape and durations.</summary>
internal sealed record BenchSettings(
    string StorageConnectionString,
    string BridgeDll,
    int Concurrency,
    int Transactions,
    int WebhookLinks,
    TimeSpan Warmup,
    TimeSpan Measure,
    int Rounds,
    int ColdRepeats,
    int WebhookWarmup,
    int WebhookCount,
    bool ColdOnly)
{
    /// <summary>
    /// Reads <c>--bridge {dll}</c> (default: the repository's Release build of the Functions app),
    /// <c>--seconds {measure per round}</c>, <c>--webhooks {measured deliveries}</c>,
    /// <c>--cold-repeats {restarts}</c> and <c>--cold-only</c> (only the first query after restarts).
    /// </summary>
    public static BenchSettings FromArgs(string[] args)
    {
        var storage = Environment.GetEnvironmentVariable("BRIDGE_TEST_STORAGE");
        if (string.IsNullOrWhiteSpace(storage))
        {
            throw new InvalidOperationException("BRIDGE_TEST_STORAGE is not set: run bench/run-http.sh (it starts Azurite).");
        }

        var bridge = Value(args, "--bridge") ?? DefaultBridgeDll();
        if (!File.Exists(bridge))
        {
            throw new InvalidOperationException($"The bridge is not built at {bridge}: dotnet build src/MoneyKitBridge.Functions/MoneyKitBridge.Functions.csproj -c Release");
        }

        var seconds = Value(args, "--seconds") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 10;
        var webhooks = Value(args, "--webhooks") is { } w ? int.Parse(w, CultureInfo.InvariantCulture) : 4000;
        var coldRepeats = Value(args, "--cold-repeats") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 5;
        return new BenchSettings(
            storage,
            bridge,
            Concurrency: 64,
            Transactions: 10_000,
            WebhookLinks: 64,
            Warmup: TimeSpan.FromSeconds(8),
            Measure: TimeSpan.FromSeconds(seconds),
            Rounds: 2,
            ColdRepeats: coldRepeats,
            WebhookWarmup: 1000,
            WebhookCount: webhooks,
            ColdOnly: args.Contains("--cold-only"));
    }

    private static string? Value(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static string DefaultBridgeDll()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
        {
            directory = directory.Parent;
        }

        var root = directory?.FullName ?? Directory.GetCurrentDirectory();
        return Path.Combine(root, "artifacts", "bin", "MoneyKitBridge.Functions", "release", "MoneyKitBridge.Functions.dll");
    }
}

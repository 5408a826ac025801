using System.Diagnostics;
using MoneyKitBridge.Bench;

// Benchmarks that print a ratio against a baseline measured in the same run (never timed unit tests).
// Usage: MoneyKitBridge.Bench [sync|read|feed|verify|all] [--explain]
//   (Azurite connection string in BRIDGE_TEST_STORAGE; bench/run.sh starts Azurite and sets it; verify needs no storage)
var which = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var explain = args.Contains("--explain");
if (which is not ("sync" or "read" or "feed" or "verify" or "all") || args.Any(a => a.StartsWith("--", StringComparison.Ordinal) && a != "--explain"))
{
    Console.Error.WriteLine("usage: MoneyKitBridge.Bench [sync|read|feed|verify|all] [--explain]");
    return 2;
}

var storage = Environment.GetEnvironmentVariable("BRIDGE_TEST_STORAGE") ?? string.Empty;
if (which != "verify" && storage.Length == 0)
{
    Console.Error.WriteLine("BRIDGE_TEST_STORAGE is not set: run bench/run.sh, which starts Azurite.");
    return 2;
}

var clock = Stopwatch.StartNew();
if (which is "sync" or "all")
{
    await new SyncBenchmark(storage, Console.Out, explain).RunAsync();
}

if (which is "read" or "all")
{
    await new ReadBenchmark(storage, Console.Out).RunAsync();
}

if (which is "feed" or "all")
{
    await new FeedBenchmark(storage, Console.Out).RunAsync();
}

if (which is "verify" or "all")
{
    await new VerifyBenchmark(Console.Out).RunAsync();
}

Console.WriteLine($"total time {clock.Elapsed.TotalSeconds:0} s");
return 0;

using MoneyKitBridge.Bench.Http;

if (args.Length > 0 && args[0] == BaselineServer.Command)
{
    await BaselineServer.RunAsync(args[1..]);
    return 0;
}

var settings = BenchSettings.FromArgs(args);
Report.Line($"MoneyKit Bridge HTTP benchmarks: {Environment.ProcessorCount} cores, .NET {Environment.Version}, bridge {Path.GetFileName(settings.BridgeDll)} (Release)");
Report.Line($"load average at start: {LoadAverage()}");
var checks = new List<RatioCheck>();
await using (var world = await BenchWorld.CreateAsync(settings))
{
    if (!args.Contains("--webhooks-only"))
    {
        checks.AddRange(await TransactionsBenchmark.RunAsync(world, settings));
    }

    if (!args.Contains("--queries-only") && !settings.ColdOnly)
    {
        checks.AddRange(await WebhookBenchmark.RunAsync(world, settings));
    }
}

Report.Line("");
foreach (var check in checks)
{
    Report.Ratio(check);
}

Report.Line($"RESULT {checks.Count(c => c.Pass)}/{checks.Count} targets met (load average at end: {LoadAverage()})");
return 0;

// Other work on the machine skews both sides of a ratio less than absolute numbers, but it is worth printing.
static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

using System.Globalization;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Simulation;
using MoneyKitBridge.Simulation.Storage;

// The real refresh timer job over a million simulated links, in simulated time (see bench/README.md).
// Usage: MoneyKitBridge.Simulation [check|simulate] [--links N] [--hours H] [--scenario 1|2|3] [--scan-rate ROWS_PER_SECOND]
//   (--scan-rate sets the scan speed of scenario 1; 2 and 3 scan at ten times Azure's per-partition target)
var command = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "simulate";
var links = Option("--links", 1_000_000);
var hours = Option("--hours", 8);
var only = Option("--scenario", 0);
var scanRate = Option("--scan-rate", 2_000);
if (command is not ("check" or "simulate") || links < 10 || hours < 1 || scanRate < 1 || only is < 0 or > 3)
{
    Console.Error.WriteLine("usage: MoneyKitBridge.Simulation [check|simulate] [--links N] [--hours H] [--scenario 1|2|3] [--scan-rate ROWS_PER_SECOND]");
    return 2;
}

if (!ModelCheck.Run(Console.Out))
{
    return 1;
}

if (command == "check")
{
    return 0;
}

// 1: the options as shipped, the index scanned at Azure's per-partition target. 2: the same, scanned ten times faster
// (what binds once the scan does not). 3: the largest options validation allows, scanned ten times faster.
var atTarget = new TableModel { ScanRowsPerSecond = scanRate };
var fastScan = new TableModel { ScanRowsPerSecond = 10 * PartitionTraffic.PartitionTarget };
var duration = TimeSpan.FromHours(hours);
var warmUp = TimeSpan.FromHours(Math.Min(6, hours / 2.0));
var scenarios = new[]
{
    new Scenario { Name = "1 shipped defaults", Links = links, Duration = duration, WarmUp = warmUp, Table = atTarget },
    new Scenario { Name = "2 shipped defaults, index scanned at 10x the target", Links = links, Duration = duration, WarmUp = warmUp, Table = fastScan },
    new Scenario
    {
        Name = "3 largest validated options, index scanned at 10x the target",
        Links = links,
        Duration = duration,
        WarmUp = warmUp,
        Table = fastScan,
        Period = TimeSpan.FromMinutes(5),
        Refresh = new RefreshOptions
        {
            Schedule = "0 */5 * * * *",
            StaleAfter = TimeSpan.FromHours(5),
            MaxLinksPerRun = 10_000,
            MaxConcurrency = 64,
            Budget = TimeSpan.FromMinutes(4),
        },
    },
};
for (var i = 0; i < scenarios.Length; i++)
{
    if (only == 0 || only == i + 1)
    {
        Report.Print(new Simulation(scenarios[i]).Run(), Console.Out);
    }
}

return 0;

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

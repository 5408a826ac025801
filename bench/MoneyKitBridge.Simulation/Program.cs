using System.Globalization;
using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Simulation;
using MoneyKitBridge.Simulation.Storage;

// The real refresh timer job over a million simulated links, in simulated time (see bench/README.md).
// Usage: MoneyKitBridge.Simulation [check|simulate] [--links N] [--hours H] [--scan-rate ROWS_PER_SECOND]
var command = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "simulate";
var links = Option("--links", 1_000_000);
var hours = Option("--hours", 24);
var scanRate = Option("--scan-rate", 2_000);
if (command is not ("check" or "simulate") || links < 10 || hours < 1 || scanRate < 1)
{
    Console.Error.WriteLine("usage: MoneyKitBridge.Simulation [check|simulate] [--links N] [--hours H] [--scan-rate ROWS_PER_SECOND]");
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

var table = new TableModel { ScanRowsPerSecond = scanRate };
var scenarios = new[]
{
    new Scenario { Name = "shipped defaults", Links = links, Duration = TimeSpan.FromHours(hours), Table = table },
    new Scenario
    {
        Name = "largest validated options",
        Links = links,
        Duration = TimeSpan.FromHours(hours),
        Table = table,
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
foreach (var scenario in scenarios)
{
    Report.Print(new Simulation(scenario).Run(), Console.Out);
}

return 0;

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

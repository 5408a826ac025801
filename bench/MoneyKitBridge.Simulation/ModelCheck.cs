using System.Globalization;
using MoneyKitBridge.Simulation.MoneyKit;

namespace MoneyKitBridge.Simulation;

/// <summary>
/// The simulation's own check, run before every simulation: on ten links whose expected counts follow from the
/// parameters alone, the simulated MoneyKit and Table service must count exactly those calls.
/// </summary>
internal static class ModelCheck
{
    private const int Links = 10;

    public static bool Run(TextWriter output)
    {
        var quiet = new MoneyKitModel
        {
            LostWebhookShare = 0,
            FailuresPerLinkPerDay = 0,
            StormLength = TimeSpan.Zero,
            AppRefreshesPerMinute = int.MaxValue,
            AppLinkReadsPerMinute = int.MaxValue,
            RefreshCompletion = TimeSpan.FromMinutes(1),
        };
        var scenario = new Scenario
        {
            Name = "check",
            Links = Links,
            Duration = TimeSpan.FromHours(24),
            InitialAge = _ => TimeSpan.FromHours(6),
            MoneyKit = quiet,
            WarmUp = TimeSpan.Zero,
        };

        // Every link is due at the first run (exactly StaleAfter old). A refresh's data is ready one minute after it was
        // accepted, so the link is due again at the first run at least StaleAfter + 1 min later: every
        // ceil((6 h + 1 min) / 15 min) = 25 periods = 6 h 15 min, i.e. at 0:00, 6:15, 12:30 and 18:45 in 24 h.
        var periods = Math.Ceiling((scenario.Refresh.StaleAfter + quiet.RefreshCompletion) / scenario.Period);
        var interval = scenario.Period * periods;
        var refreshesPerLink = (int)Math.Ceiling(scenario.Duration / interval);
        var runs = (int)(scenario.Duration / scenario.Period);
        var refreshes = Links * refreshesPerLink;

        var ok = true;
        var delivered = new Simulation(scenario).Run(calibrate: false);

        // The index partition: two queries a run (due links, awaiting ones; one page each), and per refresh the claim, the
        // accepted-refresh merge, and the webhook's sync reading and replacing the row.
        ok &= Expect(output, "webhooks delivered: timer runs", runs, delivered.Runs.Count);
        ok &= Expect(output, "webhooks delivered: refresh calls", refreshes, delivered.Calls.Refreshes);
        ok &= Expect(output, "webhooks delivered: refreshes accepted", refreshes, delivered.Calls.RefreshesAccepted);
        ok &= Expect(output, "webhooks delivered: link reads", 0, delivered.Calls.LinkReads);
        ok &= Expect(output, "webhooks delivered: linkindex requests", (2 * runs) + (4 * refreshes), delivered.Traffic.Tables["simlinkindex"].Requests);
        ok &= Expect(output, "webhooks delivered: linkstates requests", 3 * refreshes, delivered.Traffic.Tables["simlinkstates"].Requests);
        ok &= Expect(output, "webhooks delivered: oldest sample within the interval + 1 min (minutes)", 1, delivered.Staleness.Max <= interval + quiet.RefreshCompletion ? 1 : 0);

        // Every webhook lost: each refresh is found by the job's reconciliation at the next run (GET link, then a real sync
        // of one empty page and the accounts), and the link is due at the same times as before.
        var lost = new Simulation(scenario with { MoneyKit = quiet with { LostWebhookShare = 1 } }).Run(calibrate: false);
        ok &= Expect(output, "webhooks lost: refresh calls", refreshes, lost.Calls.Refreshes);
        ok &= Expect(output, "webhooks lost: link reads", refreshes, lost.Calls.LinkReads);
        ok &= Expect(output, "webhooks lost: sync pages", refreshes, lost.Calls.SyncPages);
        ok &= Expect(output, "webhooks lost: account reads", refreshes, lost.Calls.AccountReads);
        output.WriteLine(ok ? "model check: ok" : "model check: FAILED");
        return ok;
    }

    private static bool Expect(TextWriter output, string what, long expected, long actual)
    {
        var ok = expected == actual;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(ok ? "ok  " : "FAIL")} {what}: expected {expected}, counted {actual}"));
        return ok;
    }
}

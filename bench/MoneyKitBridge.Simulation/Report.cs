using System.Globalization;

namespace MoneyKitBridge.Simulation;

/// <summary>Prints a simulation's figures next to their goals and Azure's documented targets.</summary>
internal static class Report
{
    /// <summary>Azure Table Storage scalability targets (learn.microsoft.com/azure/storage/tables/scalability-targets).</summary>
    private const int PartitionTargetEntitiesPerSecond = 2_000;
    private const int AccountTargetEntitiesPerSecond = 20_000;

    public static void Print(SimulationResult r, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(output);
        var s = r.Scenario;
        var o = s.Refresh;
        var days = r.Days;
        var ci = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(ci, $"=== {s.Name}: {s.Links:N0} links, {s.Duration.TotalHours:0} h simulated, timer every {s.Period.TotalMinutes:0} min"));
        output.WriteLine(string.Create(ci, $"  options: StaleAfter {o.StaleAfter}, MaxLinksPerRun {o.MaxLinksPerRun:N0}, MaxConcurrency {o.MaxConcurrency}, Budget {o.Budget}, MaxJitter {o.MaxJitter} (modelled as its mean)"));
        var m = s.MoneyKit;
        output.WriteLine(string.Create(ci, $"  model: Table point op {s.Table.PointLatency.TotalMilliseconds:0} ms, scan {s.Table.ScanRowsPerSecond:N0} rows/s per partition; MoneyKit refresh {m.RefreshLatency.TotalMilliseconds:0} ms, read {m.ReadLatency.TotalMilliseconds:0} ms,"));
        output.WriteLine(string.Create(ci, $"         app limits {m.AppRefreshesPerMinute:N0} refreshes/min (assumed) and {m.AppLinkReadsPerMinute:N0} GET /links/{{id}}/min, 429 storm {m.StormLength.TotalMinutes:0} min every {m.StormEvery.TotalHours:0} h,"));
        output.WriteLine(string.Create(ci, $"         {m.LostWebhookShare:P0} of webhooks lost, {m.FailuresPerLinkPerDay:P1} of links fail into error per day, refresh data ready {m.RefreshCompletion.TotalMinutes:0} min after acceptance"));

        var st = r.Staleness;
        var last = r.LastStaleness;
        output.WriteLine(string.Create(ci, $"  staleness of connected links (every {s.SampleEvery.TotalMinutes:0} min after {s.WarmUp.TotalHours:0} h, {st.Count:N0} link-samples): p50 {H(st.Percentile(0.5))}, p99 {H(st.Percentile(0.99))}, max {H(st.Max)}; over {s.Goal.TotalHours:0} h: {st.ShareOver(s.Goal):P1}   (goal: all within {s.Goal.TotalHours:0} h)"));
        if (last is not null)
        {
            output.WriteLine(string.Create(ci, $"  staleness at the end: p50 {H(last.Percentile(0.5))}, p99 {H(last.Percentile(0.99))}, max {H(last.Max)}; over {s.Goal.TotalHours:0} h: {last.ShareOver(s.Goal):P1}"));
        }

        var c = r.Calls;
        var minimum = s.Links * (24 / s.Goal.TotalHours);
        output.WriteLine(string.Create(ci, $"  MoneyKit refresh calls/day: {c.Refreshes / days:N0} (accepted {c.RefreshesAccepted / days:N0}; 429 per-link {c.RefreshesOverLinkLimit / days:N0}, app limit {c.RefreshesOverAppLimit / days:N0}, storm {c.RefreshesInStorm / days:N0}; 422 errored {c.RefreshesOfErroredLinks / days:N0})"));
        output.WriteLine(string.Create(ci, $"    minimum possible: links x 24 h / {s.Goal.TotalHours:0} h = {minimum:N0}/day; accepted/minimum = {c.RefreshesAccepted / days / minimum:0.000}"));
        var webhookSyncCalls = r.WebhookSyncs * r.MoneyKitCallsPerRealSync;
        output.WriteLine(string.Create(ci, $"  all MoneyKit calls/day: {(c.All + webhookSyncCalls) / days:N0} = job and reconciliation {c.All / days:N0} (token {c.Tokens / days:N0}, GET link {c.LinkReads / days:N0} of which refused {c.LinkReadsRefused / days:N0}, sync pages {c.SyncPages / days:N0}, accounts {c.AccountReads / days:N0})"));
        output.WriteLine(string.Create(ci, $"    + webhook syncs {r.WebhookSyncs / days:N0}/day x {r.MoneyKitCallsPerRealSync} calls each (measured on one real sync) = {webhookSyncCalls / days:N0}; lost webhooks: {r.LostRefreshWebhooks / days:N0} refresh, {r.LostStateWebhooks / days:N0} state/day; links failed: {r.Failures:N0}"));

        var durations = r.Runs.Select(x => x.Duration).Order().ToList();
        if (durations.Count > 0)
        {
            var over = r.Runs.Count(x => x.Duration > o.Budget);
            var stopped = r.Runs.Count(x => x.Result.StoppedEarly);
            var limited = r.Runs.Count(x => x.Result.RateLimited > 0);
            output.WriteLine(string.Create(ci, $"  timer runs: {r.Runs.Count:N0}; duration p50 {S(At(durations, 0.5))}, p95 {S(At(durations, 0.95))}, max {S(durations[^1])} vs budget {S(o.Budget)}: {over} over budget, {stopped} stopped early ({limited} by a 429)"));
            var due = r.Runs.Select(x => x.Result.Due).Order().ToList();
            var scans = r.Runs.Select(x => x.ScanDuration).Order().ToList();
            output.WriteLine(string.Create(ci, $"    of which finding the due links (the index scan): p50 {S(At(scans, 0.5))}, max {S(scans[^1])}"));
            output.WriteLine(string.Create(ci, $"    due rows read per run p50 {At(due, 0.5):N0}, max {due[^1]:N0}; refreshed per run mean {r.Runs.Average(x => x.Result.Refreshed):N0}; reconciled {r.Runs.Sum(x => x.Result.Reconciled) / days:N0}/day, of which synced {r.Runs.Sum(x => x.Result.Synced) / days:N0}/day"));
        }

        var (table, partition, hot) = r.Traffic.Hottest();
        var seconds = s.Duration.TotalSeconds;
        output.WriteLine(string.Create(ci, $"  hottest Table partition: {table} '{partition}': peak {hot.PeakEntitiesPerSecond:N0} entities/s in one second ({hot.PeakRequestsPerSecond:N0} requests/s), mean {hot.Entities / seconds:N0} entities/s, at or above the target {hot.SecondsAtTarget / seconds:P0} of the time; Azure's target {PartitionTargetEntitiesPerSecond:N0} entities/s per partition -> peak is {hot.PeakEntitiesPerSecond / (double)PartitionTargetEntitiesPerSecond:0.0}x"));
        foreach (var (t, p, counter) in r.Traffic.HottestPerTable())
        {
            output.WriteLine(string.Create(ci, $"    {t,-14} hottest '{Short(p)}': peak {counter.PeakEntitiesPerSecond:N0} entities/s, {counter.PeakRequestsPerSecond:N0} requests/s; table total {r.Traffic.Tables[t].Requests / days:N0} requests/day, {r.Traffic.Tables[t].Entities / days:N0} entities/day"));
        }

        var perSync = string.Join(", ", r.RequestsPerRealSync.Where(x => x.Value > 0).Select(x => $"{x.Key} {x.Value}"));
        var modelled = r.WebhookSyncs * r.RequestsPerRealSync.Values.Sum();
        output.WriteLine(string.Create(ci, $"  account: peak {r.Traffic.Account.PeakEntitiesPerSecond:N0} entities/s as run (target {AccountTargetEntitiesPerSecond:N0}); webhook syncs at a real sync's cost ({perSync}) add {modelled / days:N0} requests/day = {modelled / seconds:N0}/s mean, on per-link partitions"));
        output.WriteLine(string.Create(ci, $"  simulated in {r.WallTime.TotalSeconds:0} s of wall time, {Environment.WorkingSet / (1 << 20):N0} MiB working set"));
    }

    private static T At<T>(List<T> sorted, double fraction) => sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string H(TimeSpan t) => t.TotalHours.ToString("0.00", CultureInfo.InvariantCulture) + " h";

    private static string S(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Short(string partition) => partition.Length > 20 ? partition[..20] + "..." : partition;
}

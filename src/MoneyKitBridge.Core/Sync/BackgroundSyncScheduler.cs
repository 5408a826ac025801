using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Core.Telemetry;

namespace MoneyKitBridge.Core.Sync;

/// <summary>
/// The one place syncs that outlive their trigger are started (the first sync after a token exchange, webhook
/// <c>transactions.updates_available</c>). Per link, at most one run started here is in flight: a request while one
/// runs marks it to run once more (a burst collapses into at most one extra run; across processes the engine's
/// lease coalesces). Every run is tracked so tests and shutdown can wait for them; a crash loses nothing because the
/// next trigger resumes from the stored cursor.
/// </summary>
public sealed partial class BackgroundSyncScheduler(LinkSyncEngine engine, ILogger<BackgroundSyncScheduler> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly Dictionary<string, Slot> running = new(StringComparer.Ordinal);

    /// <summary>
    /// Starts a sync of the link, or marks the one running to run again. The returned task never faults; it completes
    /// with the outcome of the last run once a run that started after this call has finished.
    /// </summary>
    public Task<SyncOutcome> Start(string linkId, SyncTrigger trigger)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkId);

        // The run outlives the caller (a webhook answered already): it carries the caller's trace on, so one trace
        // goes from the webhook through the sync it started.
        var cause = Activity.Current?.Context ?? default;
        lock (gate)
        {
            if (running.TryGetValue(linkId, out var slot))
            {
                slot.Again = trigger;
                slot.AgainCause = cause;
                return slot.Task;
            }

            slot = new Slot();
            running[linkId] = slot;
            slot.Task = Task.Run(() => RunAsync(linkId, trigger, cause, slot));
            return slot.Task;
        }
    }

    /// <summary>Completes when every sync started so far has finished (tests, shutdown).</summary>
    public async Task WhenIdleAsync()
    {
        while (true)
        {
            Task[] pending;
            lock (gate)
            {
                pending = [.. running.Values.Select(s => s.Task)];
            }

            if (pending.Length == 0)
            {
                return;
            }

            await Task.WhenAll(pending);
        }
    }

    /// <summary>Cancels the running syncs (their leases are handed back) and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await WhenIdleAsync();
        stopping.Dispose();
    }

    private async Task<SyncOutcome> RunAsync(string linkId, SyncTrigger trigger, ActivityContext cause, Slot slot)
    {
        while (true)
        {
            SyncOutcome outcome;
            Activity.Current = null;
            using var activity = BridgeTelemetry.Source.StartActivity("background_sync", ActivityKind.Internal, cause);
            try
            {
                outcome = await engine.SyncAsync(linkId, trigger, stopping.Token);
                LogSynced(logger, linkId, trigger, outcome.Status);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                outcome = new SyncOutcome(SyncStatus.Failed, Error: nameof(OperationCanceledException));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The timer's staleness check picks the link up again; the next trigger retries too.
                LogFailed(logger, linkId, trigger, e.GetType().Name);
                outcome = new SyncOutcome(SyncStatus.Failed, Error: e.GetType().Name);
            }

            lock (gate)
            {
                if (slot.Again is not { } again || stopping.IsCancellationRequested)
                {
                    running.Remove(linkId);
                    return outcome;
                }

                slot.Again = null;
                trigger = again;
                cause = slot.AgainCause;
            }
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Background sync ({Trigger}) of link {LinkId}: {Status}")]
    private static partial void LogSynced(ILogger logger, string linkId, SyncTrigger trigger, SyncStatus status);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Background sync ({Trigger}) of link {LinkId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string linkId, SyncTrigger trigger, string reason);

    /// <summary>The run in flight for one link and whether (and why) it must run once more.</summary>
    private sealed class Slot
    {
        public SyncTrigger? Again { get; set; }

        /// <summary>The trace of the request that asked for the extra run.</summary>
        public ActivityContext AgainCause { get; set; }

        public Task<SyncOutcome> Task { get; set; } = System.Threading.Tasks.Task.FromResult(new SyncOutcome(SyncStatus.Coalesced));
    }
}

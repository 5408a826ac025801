using System.Collections.Concurrent;
using MoneyKitBridge.Core.Sync;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>
/// Syncs that outlive the request that started them (first sync after exchange). Tracked so shutdown waits for
/// them; a crash loses nothing because the next trigger resumes from the stored cursor.
/// </summary>
public sealed class BackgroundSyncs(LinkSyncEngine engine, ILogger<BackgroundSyncs> logger, IHostApplicationLifetime lifetime) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Task, byte> running = new();

    public Task<SyncOutcome> Start(string linkId, SyncTrigger trigger)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                return await engine.SyncAsync(linkId, trigger, lifetime.ApplicationStopping);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning("Background sync of link {LinkId} failed: {Error}", linkId, e.GetType().Name);
                return new SyncOutcome(SyncStatus.Failed, Error: e.GetType().Name);
            }
        });
        running.TryAdd(task, 0);
        _ = task.ContinueWith(t => running.TryRemove(t, out _), TaskScheduler.Default);
        return task;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(running.Keys);
    }
}

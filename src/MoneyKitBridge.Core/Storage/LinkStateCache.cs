using System.Collections.Concurrent;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// The state rows this process read recently, for readers that accept a short staleness window. Every write of a
/// state row in this process (<see cref="LinkStateStore"/>) drops the link's entry at once, so only writes made by
/// other instances can be seen late, and by at most the reader's window.
/// </summary>
public sealed class LinkStateCache
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (LinkState? State, long ReadAt)> entries = new(StringComparer.Ordinal);

    public bool TryGet(string linkId, long now, long maxAgeTicks, out LinkState? state)
    {
        if (entries.TryGetValue(linkId, out var entry) && now - entry.ReadAt < maxAgeTicks)
        {
            state = entry.State;
            return true;
        }

        state = null;
        return false;
    }

    public void Set(string linkId, LinkState? state, long readAt)
    {
        if (entries.Count >= MaxEntries)
        {
            entries.Clear();
        }

        entries[linkId] = (state, readAt);
    }

    public void Invalidate(string linkId) => entries.TryRemove(linkId, out _);
}

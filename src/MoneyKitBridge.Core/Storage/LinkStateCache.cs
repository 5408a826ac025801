using System.Collections.Concurrent;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// The state rows <see cref="LinkStateStore"/> read or wrote recently, with the timestamp they were taken at.
/// Bounded; cleared when full. Only the store touches it.
/// </summary>
internal sealed class LinkStateCache
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (LinkState? State, long TakenAt)> entries = new(StringComparer.Ordinal);

    public bool TryGet(string linkId, out LinkState? state, out long takenAt)
    {
        if (entries.TryGetValue(linkId, out var entry))
        {
            (state, takenAt) = entry;
            return true;
        }

        (state, takenAt) = (null, 0);
        return false;
    }

    public void Set(string linkId, LinkState? state, long takenAt)
    {
        if (entries.Count >= MaxEntries)
        {
            entries.Clear();
        }

        entries[linkId] = (state, takenAt);
    }

    public void Invalidate(string linkId) => entries.TryRemove(linkId, out _);
}

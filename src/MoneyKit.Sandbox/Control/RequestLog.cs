using MoneyKit.Sandbox.Api;

namespace MoneyKit.Sandbox.Control;

/// <summary>Every MoneyKit API call the sandbox received (not the /sandbox control surface).</summary>
internal sealed class RequestLog
{
    private const int Capacity = 200_000;
    private readonly Lock gate = new();
    private readonly List<RequestLogEntry> entries = [];

    public void Add(RequestLogEntry entry)
    {
        lock (gate)
        {
            if (entries.Count == Capacity)
            {
                entries.RemoveRange(0, Capacity / 10);
            }

            entries.Add(entry);
        }
    }

    public IReadOnlyList<RequestLogEntry> Snapshot()
    {
        lock (gate)
        {
            return [.. entries];
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            entries.Clear();
        }
    }
}

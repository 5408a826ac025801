using System.Globalization;

namespace MoneyKitBridge.Simulation.MoneyKit;

/// <summary>
/// MoneyKit's side of the simulated links, in arrays indexed by link number (a million objects would cost more than
/// the simulation): whether the link is in error, when its transactions were last refreshed upstream, when MoneyKit
/// last accepted a transactions/accounts refresh (its per-link limit), and the refreshes and failures still to
/// happen, each with whether its webhook will be lost.
/// </summary>
internal sealed class UpstreamLinks
{
    private const string IdPrefix = "mk_link_";
    private readonly bool[] errored;
    private readonly long[] refreshedAt;
    private readonly long[] acceptedAt;

    public UpstreamLinks(int count, Func<int, DateTimeOffset> initialRefreshedAt)
    {
        Count = count;
        errored = new bool[count];
        refreshedAt = new long[count];
        acceptedAt = new long[count];
        for (var i = 0; i < count; i++)
        {
            refreshedAt[i] = initialRefreshedAt(i).UtcTicks;
            acceptedAt[i] = DateTimeOffset.MinValue.UtcTicks;
        }
    }

    public int Count { get; }

    /// <summary>Refreshes MoneyKit accepted, by the time their data is ready (and their webhook sent or lost).</summary>
    public PriorityQueue<UpstreamEvent, long> Completions { get; } = new();

    /// <summary>Links that will fail into <c>error</c> (auth expired), by time.</summary>
    public PriorityQueue<UpstreamEvent, long> Failures { get; } = new();

    public static string IdOf(int link) => IdPrefix + link.ToString("D7", CultureInfo.InvariantCulture);

    public static bool TryIndexOf(string id, int count, out int link)
    {
        link = -1;
        return id.StartsWith(IdPrefix, StringComparison.Ordinal)
            && int.TryParse(id.AsSpan(IdPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out link)
            && link < count;
    }

    public bool IsErrored(int link) => errored[link];

    public void Fail(int link) => errored[link] = true;

    public DateTimeOffset RefreshedAt(int link) => new(refreshedAt[link], TimeSpan.Zero);

    public void Refreshed(int link, DateTimeOffset at) => refreshedAt[link] = at.UtcTicks;

    public DateTimeOffset AcceptedAt(int link) => new(acceptedAt[link], TimeSpan.Zero);

    public void Accepted(int link, DateTimeOffset at) => acceptedAt[link] = at.UtcTicks;
}

/// <summary>Something that happens to one link upstream at a set time; <paramref name="WebhookLost"/>: its webhook never arrives.</summary>
internal readonly record struct UpstreamEvent(int Link, bool WebhookLost);

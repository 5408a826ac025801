namespace MoneyKitBridge.Simulation;

/// <summary>Ages of connected links' data, in one-minute buckets (ages beyond 60 days land in the last bucket).</summary>
internal sealed class StalenessHistogram
{
    private const int Buckets = 60 * 24 * 60;
    private readonly long[] counts = new long[Buckets];

    public long Count { get; private set; }

    public TimeSpan Max { get; private set; }

    public void Add(TimeSpan age)
    {
        var minute = (int)Math.Clamp(age.TotalMinutes, 0, Buckets - 1);
        counts[minute]++;
        Count++;
        if (age > Max)
        {
            Max = age;
        }
    }

    public void Add(StalenessHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < Buckets; i++)
        {
            counts[i] += other.counts[i];
        }

        Count += other.Count;
        Max = other.Max > Max ? other.Max : Max;
    }

    /// <summary>The age at or below which <paramref name="fraction"/> of the links are (upper edge of its minute).</summary>
    public TimeSpan Percentile(double fraction)
    {
        var target = (long)Math.Ceiling(fraction * Count);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += counts[i];
            if (seen >= target && seen > 0)
            {
                return TimeSpan.FromMinutes(i + 1);
            }
        }

        return Max;
    }

    /// <summary>Share of samples older than <paramref name="age"/> (minute resolution).</summary>
    public double ShareOver(TimeSpan age)
    {
        if (Count == 0)
        {
            return 0;
        }

        var from = (int)Math.Clamp(age.TotalMinutes, 0, Buckets - 1);
        long over = 0;
        for (var i = from; i < Buckets; i++)
        {
            over += counts[i];
        }

        return (double)over / Count;
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>
/// Per-client token buckets on <see cref="TimeProvider"/>: <see cref="BridgeAuthOptions.RateLimitBurst"/> requests at
/// once, refilled at <see cref="BridgeAuthOptions.RateLimitPerSecond"/>.
/// </summary>
public sealed class ClientRateLimiter(IOptions<BridgeAuthOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);
    private readonly double rate = options.Value.RateLimitPerSecond;
    private readonly double burst = options.Value.RateLimitBurst;

    /// <summary>Takes one request from <paramref name="key"/>'s bucket, or says how long until one is available.</summary>
    public bool TryAcquire(string key, out TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = time.GetTimestamp();
        var bucket = buckets.GetOrAdd(key, _ => new Bucket(burst, now));
        lock (bucket)
        {
            var refill = time.GetElapsedTime(bucket.LastRefill, now).TotalSeconds * rate;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + Math.Max(0, refill));
            bucket.LastRefill = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - bucket.Tokens) / rate);
            return false;
        }
    }

    private sealed class Bucket(double tokens, long lastRefill)
    {
        public double Tokens { get; set; } = tokens;

        public long LastRefill { get; set; } = lastRefill;
    }
}

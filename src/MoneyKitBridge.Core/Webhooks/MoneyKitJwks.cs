using System.Buffers.Text;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>What a key lookup found.</summary>
public enum JwksLookupStatus
{
    Found,

    /// <summary>MoneyKit's key set (fresh, or refetched within the throttle) has no such key.</summary>
    UnknownKid,

    /// <summary>No usable key set: the fetch failed and the throttle forbids another one yet.</summary>
    Unavailable,
}

/// <summary>
/// MoneyKit's webhook signing keys (ES256 / P-256) by <c>kid</c>, fetched from <c>/.well-known/jwks.json</c>. One per
/// process: the set is cached for <see cref="WebhookOptions.JwksCacheDuration"/> (at most 24 h), and a key id that is
/// not in it causes at most one refetch per <see cref="WebhookOptions.UnknownKidRefetchInterval"/> across all
/// requests; concurrent lookups share one fetch (single flight). A failed fetch is throttled the same way, so neither
/// forged key ids nor a MoneyKit outage turn into a stream of JWKS requests.
/// </summary>
public sealed class MoneyKitJwks
{
    private readonly MoneyKitClient moneyKit;
    private readonly TimeProvider time;
    private readonly ILogger<MoneyKitJwks> logger;
    private readonly TimeSpan cacheDuration;
    private readonly TimeSpan refetchInterval;
    private readonly Lock gate = new();
    private KeySet? current;
    private DateTimeOffset? lastFetchStarted;
    private DateTimeOffset? lastFailure;
    private Task<KeySet?>? inFlight;
    private int fetchCount;

    public MoneyKitJwks(MoneyKitClient moneyKit, IOptions<WebhookOptions> options, TimeProvider time, ILogger<MoneyKitJwks> logger)
    {
        ArgumentNullException.ThrowIfNull(moneyKit);
        ArgumentNullException.ThrowIfNull(options);
        this.moneyKit = moneyKit;
        this.time = time;
        this.logger = logger;
        cacheDuration = options.Value.JwksCacheDuration > TimeSpan.FromHours(24) ? TimeSpan.FromHours(24) : options.Value.JwksCacheDuration;
        refetchInterval = options.Value.UnknownKidRefetchInterval;
    }

    /// <summary>A fetched key set: public keys by kid, imported once per fetch (importing costs more than a verification).</summary>
    internal sealed record KeySet(FrozenDictionary<string, ECDsaSecurityKey> Keys, DateTimeOffset FetchedAt);

    /// <summary>Number of JWKS fetches started by this instance (diagnostics).</summary>
    public int FetchCount
    {
        get
        {
            lock (gate)
            {
                return fetchCount;
            }
        }
    }

    /// <summary>
    /// Finds the public key <paramref name="kid"/> (the same key object for as long as the key set is cached). Never throws for a missing key or a failed fetch (those are
    /// statuses); only <paramref name="cancellationToken"/> cancels the wait (a shared fetch keeps running).
    /// </summary>
    public async Task<(JwksLookupStatus Status, SecurityKey? Key)> GetKeyAsync(string kid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kid);
        Task<KeySet?> fetch;
        lock (gate)
        {
            var now = time.GetUtcNow();
            var set = current is { } c && now - c.FetchedAt < cacheDuration ? c : null;
            if (set is not null && set.Keys.TryGetValue(kid, out var key))
            {
                return (JwksLookupStatus.Found, key);
            }

            if (inFlight is not null)
            {
                fetch = inFlight;
            }
            else if (set is not null && lastFetchStarted is { } last && now - last < refetchInterval)
            {
                // An unknown kid, but the set was fetched moments ago: a forged or not yet published key.
                return (JwksLookupStatus.UnknownKid, default);
            }
            else if (set is null && lastFailure is { } failed && now - failed < refetchInterval)
            {
                // No usable set and the last fetch failed recently: do not retry on every request.
                return (JwksLookupStatus.Unavailable, default);
            }
            else
            {
                lastFetchStarted = now;
                fetchCount++;
                // Started outside this lock (Task.Run) so a synchronously completing fetch cannot clear inFlight before it is set.
                fetch = inFlight = Task.Run(FetchAsync);
            }
        }

        var fetched = await fetch.WaitAsync(cancellationToken);
        if (fetched is null)
        {
            return (JwksLookupStatus.Unavailable, default);
        }

        return fetched.Keys.TryGetValue(kid, out var found) ? (JwksLookupStatus.Found, found) : (JwksLookupStatus.UnknownKid, default);
    }

    private async Task<KeySet?> FetchAsync()
    {
        KeySet? result = null;
        try
        {
            var json = await moneyKit.GetJwksJsonAsync(CancellationToken.None);
            result = Parse(json, time.GetUtcNow());
            logger.LogInformation("Fetched MoneyKit's webhook keys: {Count} usable key(s)", result.Keys.Count);
            return result;
        }
        catch (Exception e)
        {
            // Whatever went wrong (MoneyKit error, network, unreadable set), the answer is "no keys now".
            logger.LogWarning("Could not fetch MoneyKit's webhook keys: {Reason}", e.GetType().Name + ": " + e.Message);
            return null;
        }
        finally
        {
            lock (gate)
            {
                if (result is not null)
                {
                    current = result;
                    lastFailure = null;
                }
                else
                {
                    lastFailure = time.GetUtcNow();
                }

                inFlight = null;
            }
        }
    }

    /// <summary>Keeps only keys usable for ES256: EC, P-256, 32-byte coordinates, alg ES256 (or none), use sig (or none).</summary>
    internal static KeySet Parse(string json, DateTimeOffset fetchedAt)
    {
        var set = JsonSerializer.Deserialize(json, WebhookJsonContext.Default.JsonWebKeySet) ?? throw new JsonException("The JWKS is null.");
        var keys = new Dictionary<string, ECDsaSecurityKey>(StringComparer.Ordinal);
        foreach (var jwk in set.Keys ?? [])
        {
            if (jwk is null
                || jwk.Kty != "EC" || jwk.Crv != "P-256"
                || jwk.Alg is not (null or WebhookVerifier.Algorithm)
                || jwk.Use is not (null or "sig")
                || string.IsNullOrEmpty(jwk.Kid)
                || !TryDecodeCoordinate(jwk.X, out var x) || !TryDecodeCoordinate(jwk.Y, out var y))
            {
                continue;
            }

            var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } };
            try
            {
                // Rejects points that are not on the curve.
                keys[jwk.Kid] = new ECDsaSecurityKey(ECDsa.Create(parameters)) { KeyId = jwk.Kid };
            }
            catch (CryptographicException)
            {
                // Not a valid P-256 public key: skip it.
            }
        }

        return new KeySet(keys.ToFrozenDictionary(StringComparer.Ordinal), fetchedAt);
    }

    private static bool TryDecodeCoordinate(string? text, out byte[] value)
    {
        value = [];
        if (text is null || text.Length != 43)
        {
            return false;
        }

        var buffer = new byte[32];
        if (Base64Url.DecodeFromChars(text, buffer, out var consumed, out var written) != System.Buffers.OperationStatus.Done || consumed != text.Length || written != 32)
        {
            return false;
        }

        value = buffer;
        return true;
    }
}

using System.ComponentModel.DataAnnotations;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>Verification and processing of MoneyKit webhooks (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Largest accepted body. MoneyKit's events are well under 1 KiB (a handful of ids, a state and a few link tags);
    /// 16 KiB leaves room for many link tags and future fields while keeping a flood of large posts cheap.
    /// </summary>
    [Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>When set, the JWT's <c>iss</c> claim must equal it (MoneyKit signs with <c>https://api.moneykit.com</c>).</summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// Oldest accepted <c>iat</c>. MoneyKit retries a failed delivery with exponential backoff for up to two hours and
    /// keeps the event's <c>webhook_timestamp</c> and idempotency key; whether it re-signs <c>iat</c> per attempt is not
    /// documented. 2 h 30 min accepts the last retry even when it carries the first attempt's <c>iat</c> (about 2 h
    /// after it) plus delivery delay and clock skew, and still rejects replays of captured requests older than that.
    /// A replay inside the window is harmless: its idempotency key is kept for <see cref="DedupeRetention"/>, which
    /// must exceed this window, so it is answered as a duplicate and changes nothing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(150);

    /// <summary>How far in the future an <c>iat</c> may be (clock skew between MoneyKit and this host).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long MoneyKit's JWKS is cached (MoneyKit: no more than 24 hours).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan JwksCacheDuration { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Least time between two JWKS fetches caused by an unknown <c>kid</c> (process-wide), and after a failed fetch,
    /// so a flood of forged key ids cannot hammer MoneyKit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan UnknownKidRefetchInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long event rows (one per idempotency key: deduplication and each link's recent-event history) are kept
    /// (well beyond MoneyKit's two-hour retry window and <see cref="MaxAge"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:10:00", "365.00:00:00")]
    public TimeSpan DedupeRetention { get; set; } = TimeSpan.FromDays(7);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DedupeRetention <= MaxAge + MaxClockSkew)
        {
            yield return new ValidationResult(
                "Webhooks:DedupeRetention must exceed MaxAge + MaxClockSkew, or a replay inside the accepted window would be processed again.",
                [nameof(DedupeRetention)]);
        }

        if (Issuer is not null && !Uri.TryCreate(Issuer, UriKind.Absolute, out _))
        {
            yield return new ValidationResult("Webhooks:Issuer must be an absolute URI when set.", [nameof(Issuer)]);
        }
    }
}

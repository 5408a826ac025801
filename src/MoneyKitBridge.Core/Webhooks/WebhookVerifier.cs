using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MoneyKitBridge.Core.Webhooks;

/// <summary>The result of <see cref="WebhookVerifier.VerifyAsync"/>: the genuine event, or why it was refused.</summary>
public sealed record WebhookVerification
{
    private WebhookVerification(MoneyKitWebhookEvent? webhookEvent, WebhookFailure? failure)
    {
        Event = webhookEvent;
        Failure = failure;
    }

    /// <summary>The verified event (null when refused).</summary>
    public MoneyKitWebhookEvent? Event { get; }

    /// <summary>Why it was refused (null when verified).</summary>
    public WebhookFailure? Failure { get; }

    public bool IsValid => Event is not null;

    internal static WebhookVerification Valid(MoneyKitWebhookEvent webhookEvent) => new(webhookEvent, null);

    internal static WebhookVerification Refused(WebhookFailure failure) => new(null, failure);
}

/// <summary>
/// Checks that a webhook really comes from MoneyKit, on the raw body bytes and the <c>MoneyKit-Signature</c> header:
/// body size; a compact JWS (read by <see cref="JsonWebToken"/>) with <c>alg</c> ES256 (nothing else: no <c>none</c>,
/// no HMAC), no <c>crit</c> and a <c>kid</c>; the signature and the <c>iss</c> (when configured) by
/// <see cref="JsonWebTokenHandler"/> with that key from <see cref="MoneyKitJwks"/>; then <c>iat</c> against the app's
/// <see cref="TimeProvider"/> (no older than <see cref="WebhookOptions.MaxAge"/>, not in the future beyond
/// <see cref="WebhookOptions.MaxClockSkew"/>; MoneyKit's tokens have no <c>exp</c>, so the handler's lifetime check is
/// off); then <c>request_body_sha256</c> against the SHA-256 of the raw bytes in constant time; finally the body's
/// shape. Never throws for bad input: every refusal is a <see cref="WebhookFailure"/> (413, 401 or 400).
/// </summary>
public sealed class WebhookVerifier
{
    public const string Algorithm = SecurityAlgorithms.EcdsaSha256;

    /// <summary>Longest accepted header (an ES256 JWT with MoneyKit's claims is about 400 characters).</summary>
    public const int MaxSignatureLength = 4096;

    private const int MaxIdLength = 200;

    /// <summary>Stateless and thread-safe: one for every verifier.</summary>
    private static readonly JsonWebTokenHandler Handler = new();

    private readonly MoneyKitJwks jwks;
    private readonly TimeProvider time;
    private readonly WebhookOptions options;

    /// <summary>
    /// Validation parameters per signing key, made once per key object (a key-set refetch makes new key objects, and
    /// the entries of the old ones go with them).
    /// </summary>
    private readonly ConditionalWeakTable<SecurityKey, TokenValidationParameters> parametersByKey = [];

    private readonly ConditionalWeakTable<SecurityKey, TokenValidationParameters>.CreateValueCallback createParameters;

    public WebhookVerifier(MoneyKitJwks jwks, IOptions<WebhookOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(jwks);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        this.jwks = jwks;
        this.options = options.Value;
        this.time = time;
        createParameters = ParametersFor;
    }

    /// <summary>Largest body the endpoint should read; anything larger can be refused unread (413).</summary>
    public int MaxBodyBytes => options.MaxBodyBytes;

    /// <summary>Verifies one delivery. Only <paramref name="cancellationToken"/> makes it throw.</summary>
    public async Task<WebhookVerification> VerifyAsync(ReadOnlyMemory<byte> rawBody, string? signatureHeader, CancellationToken cancellationToken = default)
    {
        if (rawBody.Length > options.MaxBodyBytes)
        {
            return Refuse(new WebhookFailure(413, WebhookErrorCodes.BodyTooLarge, $"The body is larger than {options.MaxBodyBytes} bytes."));
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return Unauthorized(WebhookErrorCodes.MissingSignature, "The MoneyKit-Signature header is missing.");
        }

        if (!TryReadToken(signatureHeader.Trim(), out var token, out var failure))
        {
            return Refuse(failure);
        }

        var (status, key) = await jwks.GetKeyAsync(token.Kid, cancellationToken);
        if (status == JwksLookupStatus.UnknownKid)
        {
            return Unauthorized(WebhookErrorCodes.UnknownKey, "The signature's key id is not one of MoneyKit's webhook keys.");
        }

        if (status == JwksLookupStatus.Unavailable || key is null)
        {
            return Unauthorized(WebhookErrorCodes.KeysUnavailable, "MoneyKit's webhook keys could not be fetched; retry later.");
        }

        var validation = await Handler.ValidateTokenAsync(token, parametersByKey.GetValue(key, createParameters));
        if (!validation.IsValid)
        {
            return validation.Exception switch
            {
                SecurityTokenInvalidIssuerException => Unauthorized(WebhookErrorCodes.InvalidIssuer, "The signature's issuer is not the configured issuer."),
                SecurityTokenInvalidAlgorithmException => Unauthorized(WebhookErrorCodes.UnsupportedAlgorithm, "Only ES256 signatures are accepted."),
                _ => Unauthorized(WebhookErrorCodes.InvalidSignature, "The signature does not verify."),
            };
        }

        if (!token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iat) || iat is < 0 or > 253402300799)
        {
            return Unauthorized(WebhookErrorCodes.MalformedSignature, "The signature has no valid iat claim.");
        }

        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(iat);
        if (age > options.MaxAge)
        {
            return Unauthorized(WebhookErrorCodes.StaleSignature, "The signature is too old (replayed or delivered too late).");
        }

        if (-age > options.MaxClockSkew)
        {
            return Unauthorized(WebhookErrorCodes.FutureSignature, "The signature's iat is in the future.");
        }

        if (!token.TryGetPayloadValue<string>("request_body_sha256", out var bodyHash) || !BodyMatches(bodyHash, rawBody.Span))
        {
            return Unauthorized(WebhookErrorCodes.BodyMismatch, "The body does not match the signature's request_body_sha256.");
        }

        return ReadEvent(rawBody.Span);
    }

    private static WebhookVerification Refuse(WebhookFailure failure) => WebhookVerification.Refused(failure);

    private static WebhookVerification Unauthorized(string code, string message) => Refuse(WebhookFailure.Unauthorized(code, message));

    /// <summary>
    /// The signature and issuer checks the handler makes with MoneyKit's key: ES256 only, no audience, no lifetime
    /// (MoneyKit's tokens carry <c>iat</c> only, checked against <see cref="TimeProvider"/> by the verifier).
    /// </summary>
    private TokenValidationParameters ParametersFor(SecurityKey key) => new()
    {
        IssuerSigningKey = key,
        TryAllIssuerSigningKeys = false,
        ValidAlgorithms = [Algorithm],
        RequireSignedTokens = true,
        ValidateIssuer = options.Issuer is not null,
        ValidIssuer = options.Issuer,
        ValidateAudience = false,
        ValidateLifetime = false,
        RequireExpirationTime = false,
        ValidateIssuerSigningKey = false,
    };

    /// <summary>Reads the header into a token and checks what can be refused before any key lookup.</summary>
    private static bool TryReadToken(string text, out JsonWebToken token, out WebhookFailure failure)
    {
        token = null!;
        failure = WebhookFailure.Unauthorized(WebhookErrorCodes.MalformedSignature, "The MoneyKit-Signature header is not a compact JWS.");
        if (text.Length > MaxSignatureLength)
        {
            return false;
        }

        try
        {
            token = new JsonWebToken(text);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or JsonException or FormatException)
        {
            return false;
        }

        if (token.IsEncrypted || token.EncodedPayload.Length == 0 || token.EncodedSignature.Length == 0)
        {
            return false;
        }

        if (!string.Equals(token.Alg, Algorithm, StringComparison.Ordinal))
        {
            failure = WebhookFailure.Unauthorized(WebhookErrorCodes.UnsupportedAlgorithm, "Only ES256 signatures are accepted.");
            return false;
        }

        if (token.TryGetHeaderValue<object>("crit", out var crit) && crit is not null)
        {
            failure = WebhookFailure.Unauthorized(WebhookErrorCodes.MalformedSignature, "Critical JWS header extensions are not supported.");
            return false;
        }

        if (string.IsNullOrEmpty(token.Kid) || token.Kid.Length > MaxIdLength)
        {
            failure = WebhookFailure.Unauthorized(WebhookErrorCodes.MalformedSignature, "The signature has no key id (kid).");
            return false;
        }

        return true;
    }

    private static bool BodyMatches(string expectedHex, ReadOnlySpan<byte> body)
    {
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        if (expectedHex.Length != SHA256.HashSizeInBytes * 2
            || Convert.FromHexString(expectedHex, expected, out var consumed, out var written) != OperationStatus.Done
            || consumed != expectedHex.Length || written != expected.Length)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static WebhookVerification ReadEvent(ReadOnlySpan<byte> body)
    {
        MoneyKitWebhookEvent? webhookEvent;
        try
        {
            webhookEvent = JsonSerializer.Deserialize(body, WebhookJsonContext.Default.MoneyKitWebhookEvent);
        }
        catch (JsonException)
        {
            return Invalid("The body is not a MoneyKit webhook event (malformed JSON or wrong shape).");
        }

        if (webhookEvent is null)
        {
            return Invalid("The body is not a MoneyKit webhook event.");
        }

        if (!IsId(webhookEvent.WebhookEvent) || !IsId(webhookEvent.WebhookIdempotencyKey) || !IsId(webhookEvent.LinkId))
        {
            return Invalid("webhook_event, webhook_idempotency_key and link_id must be non-empty strings of at most 200 characters.");
        }

        if (webhookEvent.WebhookMajorVersion == 1)
        {
            if (webhookEvent.WebhookEvent == MoneyKitWebhookEvent.LinkStateChanged && string.IsNullOrEmpty(webhookEvent.State))
            {
                return Invalid("link.state_changed needs a state.");
            }

            if (webhookEvent.WebhookEvent == MoneyKitWebhookEvent.LinkProductRefresh && (string.IsNullOrEmpty(webhookEvent.Product) || string.IsNullOrEmpty(webhookEvent.State)))
            {
                return Invalid("link.product_refresh needs a product and a state.");
            }
        }

        return WebhookVerification.Valid(webhookEvent);

        static WebhookVerification Invalid(string message) => Refuse(new WebhookFailure(400, WebhookErrorCodes.InvalidBody, message));

        static bool IsId(string? value) => value is { Length: > 0 and <= MaxIdLength } && !value.AsSpan().ContainsAnyInRange('\0', '\u001f');
    }
}

using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

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
/// body size; a compact JWS with <c>alg</c> ES256 (nothing else: no <c>none</c>, no HMAC) and a <c>kid</c>; the
/// signature with that key from <see cref="MoneyKitJwks"/>; then the <c>iss</c> (when configured) and <c>iat</c>
/// (no older than <see cref="WebhookOptions.MaxAge"/>, not in the future beyond <see cref="WebhookOptions.MaxClockSkew"/>)
/// claims; then <c>request_body_sha256</c> against the SHA-256 of the raw bytes in constant time; finally the body's
/// shape. Never throws for bad input: every refusal is a <see cref="WebhookFailure"/> (413, 401 or 400).
/// </summary>
public sealed class WebhookVerifier
{
    public const string Algorithm = "ES256";

    /// <summary>Longest accepted header (an ES256 JWT with MoneyKit's claims is about 400 characters).</summary>
    public const int MaxSignatureLength = 4096;

    private const int MaxIdLength = 200;

    private readonly MoneyKitJwks jwks;
    private readonly TimeProvider time;
    private readonly WebhookOptions options;

    public WebhookVerifier(MoneyKitJwks jwks, IOptions<WebhookOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(jwks);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        this.jwks = jwks;
        this.options = options.Value;
        this.time = time;
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

        if (!TryParseToken(signatureHeader.Trim(), out var token, out var failure))
        {
            return Refuse(failure);
        }

        var (status, key) = await jwks.GetKeyAsync(token.Kid, cancellationToken);
        if (status == JwksLookupStatus.UnknownKid)
        {
            return Unauthorized(WebhookErrorCodes.UnknownKey, "The signature's key id is not one of MoneyKit's webhook keys.");
        }

        if (status == JwksLookupStatus.Unavailable)
        {
            return Unauthorized(WebhookErrorCodes.KeysUnavailable, "MoneyKit's webhook keys could not be fetched; retry later.");
        }

        if (!VerifySignature(token.Kid, key, token))
        {
            return Unauthorized(WebhookErrorCodes.InvalidSignature, "The signature does not verify.");
        }

        if (!TryReadClaims(token.Payload, out var claims))
        {
            return Unauthorized(WebhookErrorCodes.MalformedSignature, "The signature's claims are not readable.");
        }

        if (options.Issuer is { } issuer && !string.Equals(claims.Iss, issuer, StringComparison.Ordinal))
        {
            return Unauthorized(WebhookErrorCodes.InvalidIssuer, "The signature's issuer is not the configured issuer.");
        }

        if (claims.Iat is not { } iat || iat is < 0 or > 253402300799)
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

        if (!BodyMatches(claims.RequestBodySha256, rawBody.Span))
        {
            return Unauthorized(WebhookErrorCodes.BodyMismatch, "The body does not match the signature's request_body_sha256.");
        }

        return ReadEvent(rawBody.Span);
    }

    private static WebhookVerification Refuse(WebhookFailure failure) => WebhookVerification.Refused(failure);

    private static WebhookVerification Unauthorized(string code, string message) => Refuse(WebhookFailure.Unauthorized(code, message));

    private readonly record struct Jws(string Kid, string SigningInput, byte[] Payload, byte[] Signature);

    private static bool TryParseToken(string text, out Jws token, out WebhookFailure failure)
    {
        token = default;
        failure = WebhookFailure.Unauthorized(WebhookErrorCodes.MalformedSignature, "The MoneyKit-Signature header is not a compact JWS.");
        if (text.Length > MaxSignatureLength)
        {
            return false;
        }

        var first = text.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : text.IndexOf('.', first + 1);
        if (first <= 0 || second < 0 || second == first + 1 || second == text.Length - 1 || text.IndexOf('.', second + 1) >= 0)
        {
            return false;
        }

        if (!TryDecode(text.AsSpan(0, first), out var headerBytes)
            || !TryDecode(text.AsSpan(first + 1, second - first - 1), out var payload)
            || !TryDecode(text.AsSpan(second + 1), out var signature))
        {
            return false;
        }

        JwtHeader? header;
        try
        {
            header = JsonSerializer.Deserialize(headerBytes, WebhookJsonContext.Default.JwtHeader);
        }
        catch (JsonException)
        {
            return false;
        }

        if (header is null)
        {
            return false;
        }

        if (!string.Equals(header.Alg, Algorithm, StringComparison.Ordinal))
        {
            failure = WebhookFailure.Unauthorized(WebhookErrorCodes.UnsupportedAlgorithm, "Only ES256 signatures are accepted.");
            return false;
        }

        if (header.Crit is not null)
        {
            failure = WebhookFailure.Unauthorized(WebhookErrorCodes.MalformedSignature, "Critical JWS header extensions are not supported.");
            return false;
        }

        if (string.IsNullOrEmpty(header.Kid) || header.Kid.Length > MaxIdLength)
        {
            failure = WebhookFailure.Unauthorized(WebhookErrorCodes.MalformedSignature, "The signature has no key id (kid).");
            return false;
        }

        if (signature.Length != 64)
        {
            failure = WebhookFailure.Unauthorized(WebhookErrorCodes.InvalidSignature, "The signature does not verify.");
            return false;
        }

        token = new Jws(header.Kid, text[..second], payload, signature);
        return true;
    }

    private static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.IsEmpty)
        {
            return false;
        }

        var buffer = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (Base64Url.DecodeFromChars(text, buffer, out var consumed, out var written) != OperationStatus.Done || consumed != text.Length)
        {
            return false;
        }

        bytes = buffer.AsSpan(0, written).ToArray();
        return true;
    }

    /// <summary>
    /// Importing a key costs twice the verification itself, so each thread keeps the key objects it made, per
    /// <c>kid</c>, for as long as the key set holds the same key (a refetch that changes the key makes a new one).
    /// </summary>
    [ThreadStatic]
    private static Dictionary<string, (byte[] X, ECDsa Key)>? threadKeys;

    private static bool VerifySignature(string kid, ECParameters key, Jws token)
    {
        try
        {
            var keys = threadKeys ??= new Dictionary<string, (byte[] X, ECDsa Key)>(StringComparer.Ordinal);
            if (!keys.TryGetValue(kid, out var cached) || !ReferenceEquals(cached.X, key.Q.X))
            {
                if (keys.Count >= 16)
                {
                    keys.Clear(); // MoneyKit publishes a handful of keys; anything beyond is rotation history
                }

                cached = (key.Q.X!, ECDsa.Create(key));
                keys[kid] = cached;
            }

            var input = Encoding.ASCII.GetBytes(token.SigningInput);
            return cached.Key.VerifyData(input, token.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static bool TryReadClaims(byte[] payload, out JwtClaims claims)
    {
        claims = new JwtClaims(null, null, null);
        try
        {
            if (JsonSerializer.Deserialize(payload, WebhookJsonContext.Default.JwtClaims) is { } read)
            {
                claims = read;
                return true;
            }
        }
        catch (JsonException)
        {
            // Falls through: unreadable.
        }

        return false;
    }

    private static bool BodyMatches(string? expectedHex, ReadOnlySpan<byte> body)
    {
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        if (expectedHex is not { Length: SHA256.HashSizeInBytes * 2 }
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

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using MoneyKit.Sandbox.Api;

namespace MoneyKit.Sandbox.Webhooks;

/// <summary>
/// ES256 keys that sign webhooks. Rotation keeps the previous key in the JWKS for <see cref="GracePeriod"/>.
/// </summary>
internal sealed class WebhookSigningKeys : IDisposable
{
    public static readonly TimeSpan GracePeriod = TimeSpan.FromHours(24);

    private readonly Lock gate = new();
    private readonly List<SigningKey> keys = [];
    private readonly TimeProvider time;
    private readonly string issuer;

    public WebhookSigningKeys(SandboxOptions options, TimeProvider time)
    {
        this.time = time;
        issuer = options.WebhookIssuer;
        keys.Add(SigningKey.Create(time.GetUtcNow()));
    }

    private sealed record SigningKey(string Kid, ECDsa Key, DateTimeOffset CreatedAt)
    {
        public DateTimeOffset? RetiredAt { get; set; }

        public static SigningKey Create(DateTimeOffset now) =>
            new("mk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), ECDsa.Create(ECCurve.NamedCurves.nistP256), now);
    }

    public string CurrentKid
    {
        get
        {
            lock (gate)
            {
                return keys[^1].Kid;
            }
        }
    }

    /// <summary>Makes a new current key; returns its kid.</summary>
    public string Rotate()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            keys[^1].RetiredAt = now;
            var next = SigningKey.Create(now);
            keys.Add(next);
            return next.Kid;
        }
    }

    public JwksWire Jwks()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            return new JwksWire(keys
                .Where(k => k.RetiredAt is null || k.RetiredAt.Value + GracePeriod > now)
                .Select(k =>
                {
                    var p = k.Key.ExportParameters(includePrivateParameters: false);
                    return new JwkWire("EC", "P-256", Base64Url.EncodeToString(p.Q.X), Base64Url.EncodeToString(p.Q.Y), k.Kid, "ES256", "sig");
                })
                .ToList());
        }
    }

    /// <summary>The <c>MoneyKit-Signature</c> JWT for <paramref name="body"/>: ES256, kid header, iss/iat/request_body_sha256 claims.</summary>
    public string Sign(ReadOnlySpan<byte> body)
    {
        SigningKey key;
        lock (gate)
        {
            key = keys[^1];
        }

        var header = JsonSerializer.SerializeToUtf8Bytes(new JwtHeaderWire("ES256", key.Kid, "JWT"), SandboxJsonContext.Default.JwtHeaderWire);
        var claims = JsonSerializer.SerializeToUtf8Bytes(
            new JwtClaimsWire(issuer, time.GetUtcNow().ToUnixTimeSeconds(), Convert.ToHexStringLower(SHA256.HashData(body))),
            SandboxJsonContext.Default.JwtClaimsWire);
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claims);
        var signature = key.Key.SignData(System.Text.Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var key in keys)
            {
                key.Key.Dispose();
            }
        }
    }
}

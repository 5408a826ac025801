using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MoneyKitBridge.Bench.Http;

/// <summary>
/// Plays MoneyKit's webhook signer: one ES256 (P-256) key with a kid, its JWKS, and <c>MoneyKit-Signature</c> JWTs
/// (header alg/kid/typ; claims iss, iat, request_body_sha256 as lowercase hex of the raw body).
/// </summary>
internal sealed class WebhookSigner : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public WebhookSigner(string kid, string issuer)
    {
        Kid = kid;
        Issuer = issuer;
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        PublicKey = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = q };
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            writer.WriteStartObject();
            writer.WriteString("kty", "EC");
            writer.WriteString("crv", "P-256");
            writer.WriteString("x", Base64Url.EncodeToString(q.X));
            writer.WriteString("y", Base64Url.EncodeToString(q.Y));
            writer.WriteString("kid", kid);
            writer.WriteString("alg", "ES256");
            writer.WriteString("use", "sig");
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        JwksJson = stream.ToArray();
    }

    public string Kid { get; }

    public string Issuer { get; }

    /// <summary>The public key (what a verifier imports from the JWKS).</summary>
    public ECParameters PublicKey { get; }

    /// <summary><c>/.well-known/jwks.json</c> body.</summary>
    public byte[] JwksJson { get; }

    /// <summary>The compact JWS for <paramref name="body"/> issued at <paramref name="issuedAt"/>.</summary>
    public string Sign(ReadOnlySpan<byte> body, DateTimeOffset issuedAt)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(
            new Dictionary<string, string> { ["alg"] = "ES256", ["kid"] = Kid, ["typ"] = "JWT" },
            BenchJsonContext.Default.DictionaryStringString);
        using var claimsStream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(claimsStream))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", Issuer);
            writer.WriteNumber("iat", issuedAt.ToUnixTimeSeconds());
            writer.WriteString("request_body_sha256", Convert.ToHexStringLower(SHA256.HashData(body)));
            writer.WriteEndObject();
        }

        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claimsStream.ToArray());
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose() => key.Dispose();
}

using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Bench;

/// <summary>
/// Per-call latency of <see cref="WebhookVerifier.VerifyAsync"/> on genuine deliveries (warm key set, one caller),
/// against the baseline of the bare ES256 check it cannot avoid: <see cref="ECDsa.VerifyData(byte[], byte[], HashAlgorithmName, DSASignatureFormat)"/>
/// of the same signing inputs with an already imported key. The JWKS comes from an in-process fake transport, so no
/// network or storage is involved.
/// </summary>
public sealed class VerifyBenchmark(TextWriter output, int verifications = 20_000)
{
    private const string Kid = "mk_bench_key";
    private const string Issuer = "https://api.moneykit.com";

    /// <summary>Distinct signed deliveries cycled through (each call verifies a different token and body).</summary>
    private const int Distinct = 1_000;

    public async Task<double> RunAsync()
    {
        output.WriteLine($"== verify: WebhookVerifier.VerifyAsync per call vs a bare ES256 VerifyData, {verifications:N0} calls each after a warm-up, one caller ==");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var transport = new JwksTransport(Jwks(key));
        using var http = new HttpClient(transport, disposeHandler: false);
        var options = Microsoft.Extensions.Options.Options.Create(new WebhookOptions { Issuer = Issuer });
        var moneyKit = new MoneyKitClient(
            http,
            (_, _) => ValueTask.FromResult(new MoneyKitCredentials("bench_client", "bench_secret")),
            new MoneyKitOptions { BaseUrl = new Uri("http://127.0.0.1:5999/"), MaxRetries = 0 },
            TimeProvider.System,
            NullLogger<MoneyKitClient>.Instance);
        var verifier = new WebhookVerifier(new MoneyKitJwks(moneyKit, options, TimeProvider.System, NullLogger<MoneyKitJwks>.Instance), options, TimeProvider.System);

        var deliveries = Enumerable.Range(0, Distinct).Select(i => Delivery(key, i)).ToArray();
        using var publicKey = ECDsa.Create(key.ExportParameters(includePrivateParameters: false));

        // Warm-up: JIT, the JWKS fetch, key import and any per-key caches.
        for (var i = 0; i < Math.Min(2_000, verifications); i++)
        {
            var d = deliveries[i % Distinct];
            Check((await verifier.VerifyAsync(d.Body, d.Signature)).IsValid);
            Check(publicKey.VerifyData(d.SigningInput, d.SignatureBytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        }

        var verify = new double[verifications];
        var bare = new double[verifications];
        for (var i = 0; i < verifications; i++)
        {
            // Interleaved so both series see the same machine load.
            var d = deliveries[i % Distinct];
            var start = Stopwatch.GetTimestamp();
            var result = await verifier.VerifyAsync(d.Body, d.Signature);
            verify[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            Check(result.IsValid);

            start = Stopwatch.GetTimestamp();
            var ok = publicKey.VerifyData(d.SigningInput, d.SignatureBytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            bare[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            Check(ok);
        }

        Array.Sort(verify);
        Array.Sort(bare);
        var table = new ResultTable("per call (µs)", "p50", "p90", "p99", "p99.9", "mean");
        Row("WebhookVerifier.VerifyAsync", verify);
        Row("baseline: bare ES256 VerifyData", bare);
        table.Print(output);
        output.WriteLine($"  JWKS requests: {transport.Requests} (one fetch, then the cached key set)");

        var ratio = Percentile(verify, 0.99) / Percentile(bare, 0.99);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"INFO verify p50 {Percentile(verify, 0.50):0.0} µs, p99 {Percentile(verify, 0.99):0.0} µs (webhook ack target: p99 <= 2x of bare verify + one insert; an Azurite insert is about 1,000 µs)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RATIO verify: VerifyAsync p99 / bare ES256 VerifyData p99 = {ratio:0.00}x (p50: {Percentile(verify, 0.50) / Percentile(bare, 0.50):0.00}x)"));
        output.WriteLine();
        return ratio;

        void Row(string name, double[] sorted) =>
            table.Add(name, Percentile(sorted, 0.50), Percentile(sorted, 0.90), Percentile(sorted, 0.99), Percentile(sorted, 0.999), sorted.Average());
    }

    private static void Check(bool ok)
    {
        if (!ok)
        {
            throw new InvalidOperationException("A genuine delivery did not verify.");
        }
    }

    /// <summary>Nearest-rank percentile of an ascending array.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private sealed record SignedDelivery(byte[] Body, string Signature, byte[] SigningInput, byte[] SignatureBytes);

    private static SignedDelivery Delivery(ECDsa key, int index)
    {
        var body = Encoding.UTF8.GetBytes(
            $"{{\"webhook_event\":\"link.state_changed\",\"webhook_major_version\":1,\"webhook_minor_version\":0,\"webhook_timestamp\":\"2026-01-05T08:59:00Z\",\"webhook_idempotency_key\":\"idem-{index}\",\"link_id\":\"mk_link_{index % 50}\",\"link_tags\":[\"bench\"],\"state\":\"error\",\"error\":\"auth_expired\",\"error_message\":\"x\"}}");
        var iat = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var header = Encode($"{{\"alg\":\"ES256\",\"kid\":\"{Kid}\",\"typ\":\"JWT\"}}");
        var claims = Encode($"{{\"iss\":\"{Issuer}\",\"iat\":{iat},\"request_body_sha256\":\"{Convert.ToHexStringLower(SHA256.HashData(body))}\"}}");
        var input = Encoding.ASCII.GetBytes(header + "." + claims);
        var signature = key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new SignedDelivery(body, header + "." + claims + "." + Base64Url.EncodeToString(signature), input, signature);

        static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
    }

    private static string Jwks(ECDsa key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        return $"{{\"keys\":[{{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"{Base64Url.EncodeToString(q.X)}\",\"y\":\"{Base64Url.EncodeToString(q.Y)}\",\"kid\":\"{Kid}\",\"alg\":\"ES256\",\"use\":\"sig\"}}]}}";
    }

    /// <summary>Serves MoneyKit's <c>/.well-known/jwks.json</c> and counts the requests.</summary>
    private sealed class JwksTransport(string jwks) : HttpMessageHandler
    {
        private int requests;

        public int Requests => Volatile.Read(ref requests);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref requests);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(jwks, Encoding.UTF8, "application/json") });
        }
    }
}

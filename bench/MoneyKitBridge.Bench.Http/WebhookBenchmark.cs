using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;

namespace MoneyKitBridge.Bench.Http;

/// <summary>
/// Issue 5: genuine signed <c>link.state_changed</c> deliveries (unique idempotency keys, increasing timestamps,
/// spread over the registered webhook links) posted by 64 concurrent senders to <c>POST /api/webhooks/moneykit</c>,
/// next to the same number of bare ES256 verifications of the same JWTs plus one Table insert each, run in
/// the benchmark process with the same concurrency (alternating rounds, pooled).
/// </summary>
internal static class WebhookBenchmark
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private sealed record Delivery(string Key, string LinkId, byte[] Body, string Signature, byte[] SigningInput, byte[] SignatureBytes);

    public static async Task<IReadOnlyList<RatioCheck>> RunAsync(BenchWorld world, BenchSettings settings)
    {
        var deliveries = Build(world, settings.WebhookWarmup + settings.WebhookCount);
        var baselineTable = world.Service.GetTableClient(world.Prefix + "baselinekeys");
        await baselineTable.CreateIfNotExistsAsync();
        using var verifiers = new ThreadLocal<ECDsa>(() => ECDsa.Create(world.Signer.PublicKey), trackAllValues: true);

        var bridgeRounds = new List<LoadResult>();
        var baselineRounds = new List<LoadResult>();
        await using (var bridge = await world.StartBridgeAsync())
        {
            using var client = BenchWorld.LoadClient(bridge.BaseAddress, settings.Concurrency, null);
            Func<long, Task<bool>> post = async index =>
            {
                var delivery = deliveries[index];
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/webhooks/moneykit", UriKind.Relative));
                request.Content = new ByteArrayContent(delivery.Body) { Headers = { ContentType = Json } };
                request.Headers.Add("MoneyKit-Signature", delivery.Signature);
                request.Headers.Add("MoneyKit-Delivery-Token", "bench-delivery-" + delivery.Key);
                request.Headers.Add("MoneyKit-Delivery-Attempt", "1");
                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                return response.IsSuccessStatusCode;
            };
            Func<long, Task<bool>> verifyAndInsert = async index =>
            {
                var delivery = deliveries[index];
                if (!verifiers.Value!.VerifyData(delivery.SigningInput, delivery.SignatureBytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
                {
                    return false;
                }

                var now = TimeProvider.System.GetUtcNow();
                await baselineTable.AddEntityAsync(new TableEntity(MoneyKitBridge.Core.Storage.TableKeys.ForValue(delivery.Key), "key")
                {
                    ["Status"] = "processing",
                    ["ReceivedAt"] = now,
                    ["ClaimedAt"] = now,
                    ["Event"] = "link.state_changed",
                    ["LinkId"] = delivery.LinkId,
                    ["DeliveryToken"] = "bench-delivery-" + delivery.Key,
                    ["Attempt"] = 1,
                });
                return true;
            };

            // Warm-up: the bridge fetches the JWKS on its first delivery; both paths get JIT-compiled and connections opened.
            var warm = settings.WebhookWarmup;
            var warmBridge = await LoadRunner.RunAsync("bridge warm-up", settings.Concurrency, TimeSpan.FromMinutes(2), warm, post);
            var warmBaseline = await LoadRunner.RunAsync("baseline warm-up", settings.Concurrency, TimeSpan.FromMinutes(2), warm, verifyAndInsert);
            if (warmBridge.Errors > 0 || warmBaseline.Errors > 0)
            {
                throw new InvalidOperationException($"Webhook warm-up failed: bridge {warmBridge.Errors} errors, baseline {warmBaseline.Errors} errors of {warm}.");
            }

            await HistoryWrittenAsync(world, warm, "warm-up");

            // A short settle (background tier-up compilation finishes). Not longer: Azurite (Node's HTTP server) closes a
            // connection idle for 5 s, and the bridge, idle through the settle and the baseline's round, would start
            // its first round reconnecting 64 connections while the baseline's stayed open (a 3 s settle did that:
            // the bridge's first round had p99 136-268 ms against 95-105 ms in its second).
            await Task.Delay(TimeSpan.FromSeconds(1));

            var half = settings.WebhookCount / 2;
            for (var round = 0; round < 2; round++)
            {
                var offset = warm + (round * half);
                baselineRounds.Add(await LoadRunner.RunAsync($"baseline round {round + 1}", settings.Concurrency, TimeSpan.FromMinutes(2), half, i => verifyAndInsert(offset + i)));
                bridgeRounds.Add(await LoadRunner.RunAsync($"bridge round {round + 1}", settings.Concurrency, TimeSpan.FromMinutes(2), half, i => post(offset + i)));

                // The bridge writes the event rows of applied state changes after answering: the next round starts only
                // once they are all stored, so that work is not left to load the baseline's round.
                await HistoryWrittenAsync(world, offset + half, $"round {round + 1}");
            }
        }

        foreach (var verifier in verifiers.Values)
        {
            verifier.Dispose();
        }

        var baselineAll = LoadResult.Pool("baseline: ES256 verify + 1 Table insert (in-process)", baselineRounds);
        var bridgeAll = LoadResult.Pool("bridge: POST /api/webhooks/moneykit (verified, stored)", bridgeRounds);
        Report.Table(
            $"issue 5 webhooks: {settings.Concurrency} concurrent senders, loopback, link.state_changed over {world.WebhookLinkIds.Count} links, 2 alternating rounds of {settings.WebhookCount / 2} (after {settings.WebhookWarmup} warm-up each)",
            [.. baselineRounds, .. bridgeRounds, baselineAll, bridgeAll]);
        if (bridgeAll.Errors > 0 || baselineAll.Errors > 0)
        {
            Report.Line($"WARNING: errors during the webhook runs (bridge {bridgeAll.Errors}, baseline {baselineAll.Errors}).");
        }

        Report.Line($"issue 5 throughput: bridge {bridgeAll.PerSecond:F0} deliveries/s vs baseline {baselineAll.PerSecond:F0} ops/s (ratio {bridgeAll.PerSecond / baselineAll.PerSecond:F2}, informational)");
        return [new RatioCheck("webhook.p99", "bridge webhook p99 / (ES256 verify + 1 insert) p99", bridgeAll.P99Ms / baselineAll.P99Ms, AtMost: true, 2.0)];
    }

    /// <summary>Waits until <paramref name="expected"/> event rows are stored (one per delivery) and prints how long that took after the round.</summary>
    private static async Task HistoryWrittenAsync(BenchWorld world, int expected, string round)
    {
        var states = world.Service.GetTableClient(world.Prefix + "linkstates");
        var started = Stopwatch.GetTimestamp();
        var stored = 0;
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(60))
        {
            stored = 0;
            await foreach (var page in states.QueryAsync<TableEntity>(MoneyKitBridge.Core.Storage.TableKeys.RowKeyPrefixFilter(MoneyKitBridge.Core.Storage.LinkRows.EventPrefix), select: ["RowKey"]).AsPages())
            {
                stored += page.Values.Count;
            }

            if (stored >= expected)
            {
                Report.Line($"webhook {round}: all {stored} event rows stored {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms after the last answer");
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        throw new InvalidOperationException($"Webhook {round}: only {stored} of {expected} event rows were stored 60 s after the round.");
    }

    private static Delivery[] Build(BenchWorld world, int count)
    {
        var now = TimeProvider.System.GetUtcNow();
        var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var start = now.AddMinutes(-1);
        var deliveries = new Delivery[count];
        for (var i = 0; i < count; i++)
        {
            var key = $"bench-{run}-{i:D6}";
            var linkId = world.WebhookLinkIds[i % world.WebhookLinkIds.Count];
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteString("webhook_event", "link.state_changed");
                writer.WriteNumber("webhook_major_version", 1);
                writer.WriteNumber("webhook_minor_version", 0);
                writer.WriteString("webhook_timestamp", start.AddMilliseconds(i).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteString("webhook_idempotency_key", key);
                writer.WriteString("link_id", linkId);
                writer.WriteStartArray("link_tags");
                writer.WriteEndArray();
                writer.WriteString("state", "connected");
                writer.WriteNull("error");
                writer.WriteNull("error_message");
                writer.WriteEndObject();
            }

            var body = stream.ToArray();
            var signature = world.Signer.Sign(body, now);
            var lastDot = signature.LastIndexOf('.');
            deliveries[i] = new Delivery(
                key,
                linkId,
                body,
                signature,
                Encoding.ASCII.GetBytes(signature[..lastDot]),
                System.Buffers.Text.Base64Url.DecodeFromChars(signature.AsSpan(lastDot + 1)));
        }

        return deliveries;
    }
}

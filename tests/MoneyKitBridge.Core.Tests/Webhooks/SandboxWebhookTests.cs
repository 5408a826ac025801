using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Webhooks;

/// <summary>Webhooks signed and delivered by the sandbox over real HTTP to a Kestrel receiver, stored in Azurite.</summary>
public sealed class SandboxWebhookTests
{
    [Fact]
    public async Task Genuine_state_change_is_applied_and_recorded()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();

        await bed.SetSandboxStateAsync(linkId, "error", "invalid_credentials");
        var delivery = await bed.NextDeliveryAsync();

        Assert.Equal(200, delivery.Status);
        Assert.Equal(WebhookOutcome.Applied, delivery.Outcome);
        var state = await bed.States.GetAsync(linkId);
        Assert.Equal("error", state!.State);
        Assert.Equal("invalid_credentials", state.ErrorCode);
        var evt = Assert.Single(await bed.EventRowsAsync(linkId));
        Assert.Equal("link.state_changed", evt.GetString("Event"));
        Assert.Equal(delivery.DeliveryToken, evt.GetString("DeliveryToken"));
        Assert.Equal(1, evt.GetInt32("Attempt"));
        Assert.Equal("applied", evt.GetString("Outcome"));
        var key = JsonKey(delivery.Body);
        Assert.Equal("applied", (await bed.KeyRowAsync(linkId, key))!.GetString("Outcome"));
    }

    [Fact]
    public async Task Tampered_body_missing_header_and_oversize_body_are_refused_and_change_nothing()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        bed.CaptureOnly = true;
        await bed.SetSandboxStateAsync(linkId, "error", "auth_expired");
        var captured = await bed.NextDeliveryAsync();
        var before = await bed.States.GetAsync(linkId);

        var tampered = (byte[])captured.Body.Clone();
        var at = Encoding.UTF8.GetString(tampered).IndexOf("auth_expired", StringComparison.Ordinal);
        tampered[at] = (byte)'b'; // one byte: auth_expired -> buth_expired
        var oversize = new byte[bed.Options.MaxBodyBytes + 1];
        captured.Body.CopyTo(oversize, 0);
        Array.Fill(oversize, (byte)' ', captured.Body.Length, oversize.Length - captured.Body.Length);

        Assert.Equal((401, WebhookErrorCodes.BodyMismatch), Short(await bed.PostAsync(tampered, captured.Signature)));
        Assert.Equal((401, WebhookErrorCodes.MissingSignature), Short(await bed.PostAsync(captured.Body, null)));
        Assert.Equal((413, WebhookErrorCodes.BodyTooLarge), Short(await bed.PostAsync(oversize, captured.Signature)));

        var after = await bed.States.GetAsync(linkId);
        Assert.Equal(before!.State, after!.State);
        Assert.Equal(before.Version, after.Version);
        Assert.Empty(await bed.EventRowsAsync(linkId));
        Assert.Equal(0, await bed.KeyRowCountAsync());

        // The captured request itself was genuine.
        Assert.Equal(200, (await bed.PostAsync(captured.Body, captured.Signature)).Status);
        Assert.Equal("error", (await bed.States.GetAsync(linkId))!.State);
    }

    [Fact]
    public async Task Wrong_algorithms_are_refused_even_with_the_genuine_kid_and_claims()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        bed.CaptureOnly = true;
        await bed.SetSandboxStateAsync(linkId, "error", "auth_expired");
        var captured = await bed.NextDeliveryAsync();
        var (header, claims) = TestJwt.Decode(captured.Signature!);
        var kid = header.GetProperty("kid").GetString();
        var claimsJson = claims.GetRawText();
        var jwks = await bed.MoneyKit.GetJwksJsonAsync();

        var none = TestJwt.Encode($"{{\"alg\":\"none\",\"kid\":\"{kid}\"}}") + "." + TestJwt.Encode(claimsJson) + ".";
        var hs256 = TestJwt.SignHs256(Encoding.UTF8.GetBytes(jwks), $"{{\"alg\":\"HS256\",\"kid\":\"{kid}\",\"typ\":\"JWT\"}}", claimsJson);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forgedWithRealKid = TestJwt.SignEs256(other, $"{{\"alg\":\"ES256\",\"kid\":\"{kid}\",\"typ\":\"JWT\"}}", claimsJson);

        Assert.Equal((401, WebhookErrorCodes.MalformedSignature), Short(await bed.PostAsync(captured.Body, none)));
        Assert.Equal((401, WebhookErrorCodes.UnsupportedAlgorithm), Short(await bed.PostAsync(captured.Body, none + "AAAA")));
        Assert.Equal((401, WebhookErrorCodes.UnsupportedAlgorithm), Short(await bed.PostAsync(captured.Body, hs256)));
        Assert.Equal((401, WebhookErrorCodes.InvalidSignature), Short(await bed.PostAsync(captured.Body, forgedWithRealKid)));
        Assert.Equal("connected", (await bed.States.GetAsync(linkId))!.State);
        Assert.Equal(0, await bed.KeyRowCountAsync());
    }

    [Fact]
    public async Task Unknown_kids_are_refused_and_refetch_the_keys_at_most_once_per_interval()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        await bed.SetSandboxStateAsync(linkId, "error", "auth_expired");
        Assert.Equal(200, (await bed.NextDeliveryAsync()).Status);
        Assert.Equal(1, await bed.JwksRequestCountAsync());

        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var body = Encoding.UTF8.GetBytes($"{{\"webhook_event\":\"link.state_changed\",\"webhook_major_version\":1,\"webhook_minor_version\":0,\"webhook_timestamp\":\"2026-01-05T09:00:00Z\",\"webhook_idempotency_key\":\"forged\",\"link_id\":\"{linkId}\",\"link_tags\":[],\"state\":\"connected\"}}");
        var iat = bed.Clock.GetUtcNow().ToUnixTimeSeconds();
        async Task<List<(int, string?)>> FloodAsync(string round) =>
            [.. (await Task.WhenAll(Enumerable.Range(0, 25).Select(i =>
                bed.PostAsync(body, TestJwt.SignEs256(attacker, $"{{\"alg\":\"ES256\",\"kid\":\"forged_{round}_{i}\"}}", TestJwt.Claims(iat, body)))))).Select(Short)];

        var first = await FloodAsync("a");
        Assert.All(first, r => Assert.Equal((401, WebhookErrorCodes.UnknownKey), r));
        Assert.Equal(1, await bed.JwksRequestCountAsync()); // keys fetched moments ago: no refetch at all

        bed.Clock.Advance(bed.Options.UnknownKidRefetchInterval);
        iat = bed.Clock.GetUtcNow().ToUnixTimeSeconds();
        var second = await FloodAsync("b");
        Assert.All(second, r => Assert.Equal((401, WebhookErrorCodes.UnknownKey), r));
        Assert.Equal(2, await bed.JwksRequestCountAsync()); // one shared refetch for 25 concurrent unknown kids
        Assert.Equal("error", (await bed.States.GetAsync(linkId))!.State);
    }

    [Fact]
    public async Task Stale_iat_is_refused_as_a_replay()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        bed.CaptureOnly = true;
        await bed.SetSandboxStateAsync(linkId, "error", "auth_expired");
        var captured = await bed.NextDeliveryAsync();

        bed.Clock.Advance(bed.Options.MaxAge + TimeSpan.FromSeconds(1));

        Assert.Equal((401, WebhookErrorCodes.StaleSignature), Short(await bed.PostAsync(captured.Body, captured.Signature)));
        Assert.Equal("connected", (await bed.States.GetAsync(linkId))!.State);
        Assert.Equal(0, await bed.KeyRowCountAsync());
    }

    [Fact]
    public async Task A_retry_signed_with_the_first_attempts_iat_two_hours_later_is_accepted()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        bed.CaptureOnly = true;
        await bed.SetSandboxStateAsync(linkId, "error", "auth_expired");
        var captured = await bed.NextDeliveryAsync();

        bed.Clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(5));

        Assert.Equal(200, (await bed.PostAsync(captured.Body, captured.Signature, attempt: "9")).Status);
        Assert.Equal("error", (await bed.States.GetAsync(linkId))!.State);
    }

    [Fact]
    public async Task Duplicate_delivery_has_one_effect()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var before = await bed.States.GetAsync(linkId);
        await bed.SetDeliveryBehaviourAsync(duplicate: true);

        await bed.SetSandboxStateAsync(linkId, "error", "auth_expired");
        var first = await bed.NextDeliveryAsync();
        var second = await bed.NextDeliveryAsync();

        Assert.Equal(JsonKey(first.Body), JsonKey(second.Body));
        Assert.NotEqual(first.DeliveryToken, second.DeliveryToken);
        Assert.Equal((200, 200), (first.Status, second.Status));
        Assert.Equal(WebhookOutcome.Applied, first.Outcome);
        Assert.Equal(WebhookOutcome.Duplicate, second.Outcome);
        Assert.Equal(before!.Version + 1, (await bed.States.GetAsync(linkId))!.Version);
        var evt = Assert.Single(await bed.EventRowsAsync(linkId));
        Assert.Equal(first.DeliveryToken, evt.GetString("DeliveryToken"));
    }

    [Fact]
    public async Task Out_of_order_state_changes_never_move_state_backwards()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        await bed.SetDeliveryBehaviourAsync(reverseOrder: true);

        await bed.SetSandboxStateAsync(linkId, "error", "auth_expired"); // held back by the sandbox
        bed.Clock.Advance(TimeSpan.FromSeconds(5));
        await bed.SetSandboxStateAsync(linkId, "connected");
        var newer = await bed.NextDeliveryAsync();
        var older = await bed.NextDeliveryAsync();

        Assert.Contains("\"connected\"", Encoding.UTF8.GetString(newer.Body), StringComparison.Ordinal);
        Assert.Equal(WebhookOutcome.Applied, newer.Outcome);
        Assert.Equal(WebhookOutcome.Stale, older.Outcome);
        Assert.Equal(200, older.Status);
        var state = await bed.States.GetAsync(linkId);
        Assert.Equal("connected", state!.State);
        Assert.Null(state.ErrorCode);
        Assert.Equal(2, (await bed.EventRowsAsync(linkId)).Count);
    }

    [Fact]
    public async Task Key_rotation_mid_stream_is_followed_after_the_refetch_interval_through_moneykits_retry()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        await bed.SetSandboxStateAsync(linkId, "error", "auth_expired");
        var oldKeyDelivery = await bed.NextDeliveryAsync();
        Assert.Equal(200, oldKeyDelivery.Status);

        var newKid = await bed.RotateKeysAsync();
        bed.Clock.Advance(TimeSpan.FromSeconds(1));
        await bed.SetSandboxStateAsync(linkId, "connected");
        var refused = await bed.NextDeliveryAsync();
        Assert.Equal(newKid, TestJwt.Decode(refused.Signature!).Header.GetProperty("kid").GetString());
        Assert.Equal((401, WebhookErrorCodes.UnknownKey), (refused.Status, refused.ErrorCode)); // keys were fetched a second ago
        Assert.Equal("error", (await bed.States.GetAsync(linkId))!.State);

        // The receiver hands over the refusal before the sandbox has read it: wait until it has armed its retry.
        await Eventually.TrueAsync(() => bed.Clock.PendingTimers > 0, "the sandbox to schedule its retry");
        bed.Clock.Advance(bed.Options.UnknownKidRefetchInterval); // fires the sandbox's 30 s retry, too
        var retried = await bed.NextDeliveryAsync();

        Assert.Equal("2", retried.Attempt);
        Assert.Equal(200, retried.Status);
        Assert.Equal("connected", (await bed.States.GetAsync(linkId))!.State);
        Assert.Equal(2, await bed.JwksRequestCountAsync());

        // A delivery still signed with the previous key verifies during MoneyKit's grace period (and is a duplicate).
        var replay = await bed.PostAsync(oldKeyDelivery.Body, oldKeyDelivery.Signature);
        Assert.Equal(200, replay.Status);
        Assert.Equal("duplicate", Outcome(replay.Body));
    }

    [Fact]
    public async Task Transactions_refresh_records_products_and_updates_available_syncs_the_link()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        Assert.Empty(await bed.RowsAsync(linkId, LinkRows.TransactionPrefix));

        await bed.MoneyKit.RefreshProductsAsync(linkId, ["transactions"]);
        var received = new List<ReceivedWebhook>();
        for (var i = 0; i < 3; i++)
        {
            received.Add(await bed.NextDeliveryAsync());
        }

        Assert.All(received, r => Assert.Equal(200, r.Status));
        Assert.All(received, r => Assert.Equal(WebhookOutcome.Applied, r.Outcome));
        var updates = Assert.Single(received, r => Encoding.UTF8.GetString(r.Body).Contains("transactions.updates_available", StringComparison.Ordinal));
        await updates.Processing!.Background;
        await bed.Processor.WhenIdleAsync();

        var state = await bed.States.GetAsync(linkId);
        Assert.True(state!.HasData);
        Assert.NotNull(state.Cursor);
        Assert.NotEmpty(await bed.RowsAsync(linkId, LinkRows.TransactionPrefix));
        var product = Assert.Single(await bed.StateRowsAsync(linkId, LinkRows.ProductPrefix));
        Assert.Equal("transactions", product.GetString("Product"));
        Assert.Equal("completed", product.GetString("State"));
        Assert.Equal(3, (await bed.EventRowsAsync(linkId)).Count);
    }

    [Fact]
    public async Task Transactions_added_at_MoneyKit_after_the_first_sync_reach_the_snapshot_through_updates_available()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        await bed.SyncEngine.SyncAsync(linkId, MoneyKitBridge.Core.Sync.SyncTrigger.LinkCreated);
        var before = (await bed.RowsAsync(linkId, LinkRows.TransactionPrefix)).Count;

        using (var seed = await bed.Control.PostAsJsonAsync(new Uri($"sandbox/links/{linkId}/transactions/seed", UriKind.Relative), new { count = 90, days = 120 }))
        {
            seed.EnsureSuccessStatusCode();
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"webhooks/test/link/{linkId}", UriKind.Relative)))
        {
            request.Headers.Add("X-Client-Id", "sandbox_client_id");
            request.Headers.Add("X-Client-Secret", "sandbox_client_secret");
            request.Content = JsonContent.Create(new { webhook_event = "transactions.updates_available", webhook_idempotency_key = "seeded-later" });
            using var test = await bed.Control.SendAsync(request);
            test.EnsureSuccessStatusCode();
        }

        var delivery = await bed.NextDeliveryAsync();
        Assert.Equal(WebhookOutcome.Applied, delivery.Outcome);
        await delivery.Processing!.Background;
        await bed.Processor.WhenIdleAsync();

        Assert.Equal(before + 90, (await bed.RowsAsync(linkId, LinkRows.TransactionPrefix)).Count);
    }

    private static (int, string?) Short((int Status, string? ErrorCode, string Body) response) => (response.Status, response.ErrorCode);

    private static string? Outcome(string body) =>
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("outcome").GetString();

    private static string JsonKey(byte[] body) =>
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("webhook_idempotency_key").GetString()!;
}

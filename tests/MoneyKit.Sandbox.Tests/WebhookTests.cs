using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MoneyKit.Sandbox.Tests;

public sealed class WebhookTests
{
    private static async Task<JsonObject> VerifyAsync(SandboxHarness sandbox, ReceivedWebhook webhook)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ".well-known/jwks.json");
        request.Headers.Add("X-Client-Id", "sandbox_client_id");
        using var response = await sandbox.Http.SendAsync(request);
        var jwks = new JsonWebKeySet(await response.Content.ReadAsStringAsync());
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(webhook.Signature, new TokenValidationParameters
        {
            ValidIssuer = "https://api.moneykit.com",
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            IssuerSigningKeys = jwks.GetSigningKeys(),
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(webhook.Body)), token.GetClaim("request_body_sha256").Value);
        Assert.Equal(sandbox.Clock.GetUtcNow().ToUnixTimeSeconds(), long.Parse(token.GetClaim("iat").Value, System.Globalization.CultureInfo.InvariantCulture));
        return JsonNode.Parse(webhook.Body)!.AsObject();
    }

    [Fact]
    public async Task Refresh_webhooks_verify_with_the_published_jwks_before_and_after_rotation()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u", webhook = receiver.Url, link_tags = new[] { "t1" } }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();
        (await sandbox.RefreshAsync(linkId, "transactions")).EnsureSuccessStatusCode();

        var inProgress = await VerifyAsync(sandbox, await receiver.NextAsync());
        Assert.Equal("link.product_refresh", inProgress["webhook_event"]!.GetValue<string>());
        Assert.Equal("in_progress", inProgress["state"]!.GetValue<string>());
        var completed = await VerifyAsync(sandbox, await receiver.NextAsync());
        Assert.Equal("completed", completed["state"]!.GetValue<string>());
        Assert.Equal("transactions", completed["product"]!.GetValue<string>());
        var updates = await VerifyAsync(sandbox, await receiver.NextAsync());
        Assert.Equal("transactions.updates_available", updates["webhook_event"]!.GetValue<string>());
        Assert.Equal(linkId, updates["link_id"]!.GetValue<string>());
        Assert.Equal(["t1"], updates["link_tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(1, updates["webhook_major_version"]!.GetValue<int>());
        Assert.Equal(0, updates["webhook_minor_version"]!.GetValue<int>());

        var beforeRotation = await SendStateChangeAsync(sandbox, receiver, linkId);
        await VerifyAsync(sandbox, beforeRotation);
        var oldKid = new JsonWebToken(beforeRotation.Signature).Kid;
        using var rotate = await sandbox.Http.PostAsync("sandbox/keys/rotate", null);
        var newKid = (await SandboxHarness.ReadJsonAsync(rotate))["kid"]!.GetValue<string>();
        Assert.NotEqual(oldKid, newKid);

        var afterRotation = await SendStateChangeAsync(sandbox, receiver, linkId);
        Assert.Equal(newKid, new JsonWebToken(afterRotation.Signature).Kid);
        await VerifyAsync(sandbox, afterRotation);

        using var request = new HttpRequestMessage(HttpMethod.Get, ".well-known/jwks.json");
        request.Headers.Add("X-Client-Id", "sandbox_client_id");
        var kids = (await SandboxHarness.ReadJsonAsync(await sandbox.Http.SendAsync(request)))["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>()).ToList();
        Assert.Equal([oldKid, newKid], kids);
    }

    private static async Task<ReceivedWebhook> SendStateChangeAsync(SandboxHarness sandbox, WebhookReceiver receiver, string linkId)
    {
        (await sandbox.Http.PostAsJsonAsync($"sandbox/links/{linkId}/state", new { state = "connected" })).EnsureSuccessStatusCode();
        return await receiver.NextAsync("link.state_changed");
    }

    [Fact]
    public async Task Failed_deliveries_are_retried_with_the_same_body_idempotency_key_and_timestamp()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u", webhook = receiver.Url }))["link_id"]!.GetValue<string>();
        receiver.AnswerNext(500, 503);
        (await sandbox.Http.PostAsJsonAsync($"sandbox/links/{linkId}/state", new { state = "error", error_code = "auth_expired" })).EnsureSuccessStatusCode();

        var first = await receiver.NextAsync();
        Assert.Equal(1, first.Attempt);
        Assert.Equal("error", first.Json["state"]!.GetValue<string>());
        Assert.Equal("auth_expired", first.Json["error"]!.GetValue<string>());

        await sandbox.WaitForTimersAsync();
        sandbox.Clock.Advance(TimeSpan.FromSeconds(30));
        var second = await receiver.NextAsync();
        Assert.Equal(2, second.Attempt);

        await sandbox.WaitForTimersAsync();
        sandbox.Clock.Advance(TimeSpan.FromMinutes(1));
        var third = await receiver.NextAsync();
        Assert.Equal(3, third.Attempt);

        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.Body, third.Body);
        Assert.Equal(first.DeliveryToken, third.DeliveryToken);
        await VerifyAsync(sandbox, third);

        // The receiver hands over the third attempt before the sandbox has read its answer and logged it.
        var deliveries = (await sandbox.WaitForDeliveriesAsync(3))
            .Select(d => (d!["attempt"]!.GetValue<int>(), d["status"]!.GetValue<int>(), d["webhook_idempotency_key"]!.GetValue<string>())).ToList();
        var key = first.Json["webhook_idempotency_key"]!.GetValue<string>();
        Assert.Equal([(1, 500, key), (2, 503, key), (3, 200, key)], deliveries);
    }

    [Fact]
    public async Task Delivery_faults_duplicate_reorder_and_drop_attempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u", webhook = receiver.Url }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();

        (await sandbox.Http.PostAsJsonAsync("sandbox/webhooks/behaviour", new { duplicate = true })).EnsureSuccessStatusCode();
        using (var test = await sandbox.Http.PostAsJsonAsync($"webhooks/test/link/{linkId}", new { webhook_event = "transactions.updates_available", webhook_idempotency_key = "key-1" }))
        {
            test.EnsureSuccessStatusCode();
        }

        var a = await receiver.NextAsync();
        var b = await receiver.NextAsync();
        Assert.Equal("key-1", a.Json["webhook_idempotency_key"]!.GetValue<string>());
        Assert.Equal(a.Body, b.Body);
        Assert.NotEqual(a.DeliveryToken, b.DeliveryToken);

        (await sandbox.Http.PostAsJsonAsync("sandbox/webhooks/behaviour", new { reverse_order = true })).EnsureSuccessStatusCode();
        (await sandbox.Http.PostAsJsonAsync($"webhooks/test/link/{linkId}", new { webhook_event = "link.state_changed", webhook_idempotency_key = "first" })).EnsureSuccessStatusCode();
        (await sandbox.Http.PostAsJsonAsync($"webhooks/test/link/{linkId}", new { webhook_event = "link.state_changed", webhook_idempotency_key = "second" })).EnsureSuccessStatusCode();
        Assert.Equal("second", (await receiver.NextAsync()).Json["webhook_idempotency_key"]!.GetValue<string>());
        Assert.Equal("first", (await receiver.NextAsync()).Json["webhook_idempotency_key"]!.GetValue<string>());

        // Other sandbox timers (the link's product refresh) may already be armed: wait for one more, the retry's.
        // Nothing advances the clock before this point, so none of those can fire or disappear meanwhile.
        var armedBefore = sandbox.Clock.PendingTimers;
        (await sandbox.Http.PostAsJsonAsync("sandbox/webhooks/behaviour", new { fail_next = 1 })).EnsureSuccessStatusCode();
        (await sandbox.Http.PostAsJsonAsync($"webhooks/test/link/{linkId}", new { webhook_event = "link.state_changed", webhook_idempotency_key = "lost-once" })).EnsureSuccessStatusCode();
        await sandbox.WaitForTimersAsync(armedBefore + 1);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(30));
        var retried = await receiver.NextAsync();
        Assert.Equal(2, retried.Attempt);
        Assert.Equal("lost-once", retried.Json["webhook_idempotency_key"]!.GetValue<string>());
    }
}

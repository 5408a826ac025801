using System.Net;
using System.Net.Http.Json;

namespace MoneyKit.Sandbox.Tests;

/// <summary>Deleting a link sends MoneyKit's last <c>link.state_changed</c> (state <c>deleted</c>) and leaves a tombstone.</summary>
public sealed class LinkDeletionTests
{
    [Fact]
    public async Task Delete_sends_a_deleted_state_change_and_then_nothing_more()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u", webhook = receiver.Url, link_tags = new[] { "t1" } }))["link_id"]!.GetValue<string>();
        await sandbox.AuthenticateAsync();

        using (var delete = await sandbox.Http.DeleteAsync($"links/{linkId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var webhook = await receiver.NextAsync();
        Assert.Equal("link.state_changed", webhook.Json["webhook_event"]!.GetValue<string>());
        Assert.Equal("deleted", webhook.Json["state"]!.GetValue<string>());
        Assert.Equal(linkId, webhook.Json["link_id"]!.GetValue<string>());
        Assert.Equal(["t1"], webhook.Json["link_tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Null(webhook.Json["error"]);

        var tombstone = await sandbox.GetJsonAsync($"links/{linkId}");
        Assert.Equal("deleted", tombstone["state"]!.GetValue<string>());
        Assert.Null(tombstone["webhook"]);
        using (var again = await sandbox.Http.DeleteAsync($"links/{linkId}"))
        {
            await SandboxHarness.AssertErrorAsync(again, 410, "link_error.deleted");
        }

        using var webhookTest = await sandbox.Http.PostAsJsonAsync($"webhooks/test/link/{linkId}", new { webhook_event = "link.state_changed", webhook_idempotency_key = "k" });
        await SandboxHarness.AssertErrorAsync(webhookTest, 410, "link_error.deleted");
    }

    [Fact]
    public async Task The_control_surface_can_delete_a_link()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await SandboxHarness.StartAsync();
        var linkId = (await sandbox.CreateLinkAsync(new { customer_user_id = "u", webhook = receiver.Url }))["link_id"]!.GetValue<string>();

        using (var deleted = await sandbox.Http.PostAsJsonAsync($"sandbox/links/{linkId}/state", new { state = "deleted" }))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            Assert.Equal("deleted", (await SandboxHarness.ReadJsonAsync(deleted))["state"]!.GetValue<string>());
        }

        var webhook = await receiver.NextAsync();
        Assert.Equal("link.state_changed", webhook.Json["webhook_event"]!.GetValue<string>());
        Assert.Equal("deleted", webhook.Json["state"]!.GetValue<string>());

        await sandbox.AuthenticateAsync();
        using (var data = await sandbox.Http.GetAsync($"links/{linkId}/transactions"))
        {
            await SandboxHarness.AssertErrorAsync(data, 410, "link_error.deleted");
        }

        using (var revive = await sandbox.Http.PostAsJsonAsync($"sandbox/links/{linkId}/state", new { state = "connected" }))
        {
            await SandboxHarness.AssertErrorAsync(revive, 410, "link_error.deleted");
        }

        using var unknownState = await sandbox.Http.PostAsJsonAsync($"sandbox/links/{linkId}/state", new { state = "gone" });
        await SandboxHarness.AssertErrorAsync(unknownState, 422, "api_error.request.validation_failed");
    }
}

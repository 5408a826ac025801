using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Webhooks;

namespace MoneyKitBridge.Core.Tests.Webhooks;

/// <summary>
/// Issue 11: a webhook whose values do not fit storage as they are is stored (keys hashed to fit) or, when storage
/// refuses the event itself, refused once with a 4xx — never answered 503 as if storage were down. Only real
/// outages (5xx, timeouts, connection failures) are 503.
/// </summary>
public sealed class WebhookStorageRefusalTests
{
    private static readonly string Euros = new('€', 200);

    private static MoneyKitWebhookEvent Event(string linkId, string key, DateTimeOffset at, string type, string? state = null, string? product = null, string? errorMessage = null) => new()
    {
        WebhookEvent = type,
        WebhookMajorVersion = 1,
        WebhookMinorVersion = 0,
        WebhookTimestamp = at,
        WebhookIdempotencyKey = key,
        LinkId = linkId,
        LinkTags = [],
        State = state,
        Product = product,
        ErrorMessage = errorMessage,
    };

    [Fact]
    public async Task Signed_updates_available_with_a_long_non_ascii_idempotency_key_is_stored_once_and_its_redelivery_deduplicated()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        using var api = new HttpClient { BaseAddress = bed.Sandbox.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await SandboxTokenAsync(api));

        // The sandbox signs it with its real key and delivers it to the receiver, as MoneyKit would.
        (await api.PostAsJsonAsync($"webhooks/test/link/{linkId}", new { webhook_event = "transactions.updates_available", webhook_idempotency_key = Euros })).EnsureSuccessStatusCode();
        var delivery = await bed.NextDeliveryAsync();

        Assert.Equal((200, WebhookOutcome.Applied), (delivery.Status, delivery.Outcome));
        var row = Assert.Single(await bed.EventRowsAsync(linkId));
        Assert.Equal(LinkRows.Event(Euros), row.RowKey);
        Assert.StartsWith(LinkRows.EventPrefix + TableKeys.HashedPrefix, row.RowKey, StringComparison.Ordinal);
        Assert.Equal(Euros, row.GetString("IdempotencyKey"));

        // MoneyKit retries the same delivery: a duplicate, answered 2xx, nothing new stored.
        var redelivered = await bed.PostAsync(delivery.Body, delivery.Signature, delivery.DeliveryToken ?? "dlv", attempt: "2");
        Assert.Equal(200, redelivered.Status);
        Assert.Equal("duplicate", JsonDocument.Parse(redelivered.Body).RootElement.GetProperty("outcome").GetString());
        (await api.PostAsJsonAsync($"webhooks/test/link/{linkId}", new { webhook_event = "transactions.updates_available", webhook_idempotency_key = Euros })).EnsureSuccessStatusCode();
        Assert.Equal((200, WebhookOutcome.Duplicate), Short(await bed.NextDeliveryAsync()));
        Assert.Single(await bed.EventRowsAsync(linkId));
        await bed.Processor.WhenIdleAsync();
    }

    [Fact]
    public async Task Long_keys_of_state_changes_and_product_refreshes_are_stored_and_deduplicated_too()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var at = bed.Clock.GetUtcNow().AddSeconds(1);
        var stateKey = new string('ü', 200);
        var productKey = new string('/', 200);

        Assert.Equal(WebhookOutcome.Applied, (await bed.Processor.ProcessAsync(Event(linkId, stateKey, at, MoneyKitWebhookEvent.LinkStateChanged, state: "error"), "dlv_1", 1)).Outcome);
        Assert.Equal(WebhookOutcome.Duplicate, (await bed.Processor.ProcessAsync(Event(linkId, stateKey, at, MoneyKitWebhookEvent.LinkStateChanged, state: "error"), "dlv_2", 2)).Outcome);
        Assert.Equal(WebhookOutcome.Applied, (await bed.Processor.ProcessAsync(Event(linkId, productKey, at, MoneyKitWebhookEvent.LinkProductRefresh, state: "completed", product: "transactions"), "dlv_3", 1)).Outcome);
        Assert.Equal(WebhookOutcome.Duplicate, (await bed.Processor.ProcessAsync(Event(linkId, productKey, at, MoneyKitWebhookEvent.LinkProductRefresh, state: "completed", product: "transactions"), "dlv_4", 2)).Outcome);

        Assert.Equal("error", (await bed.States.GetAsync(linkId))!.State);
        Assert.Equal(2, (await bed.EventRowsAsync(linkId)).Count);
    }

    [Fact]
    public async Task An_event_storage_refuses_is_answered_422_once_changes_nothing_and_leaves_its_neighbours_applied()
    {
        await using var bed = await WebhookTestBed.StartAsync(o => o.MaxBodyBytes = 1024 * 1024);
        var linkId = await bed.CreateLinkAsync();
        var before = await bed.States.GetAsync(linkId);
        var at = bed.Clock.GetUtcNow().AddSeconds(1);
        var huge = new string('x', 40_000); // over the service's 32 K characters per string property

        var refresh = await bed.Processor.ProcessAsync(Event(linkId, "huge-refresh", at, MoneyKitWebhookEvent.LinkProductRefresh, state: "failed", product: "transactions", errorMessage: huge), "dlv_1", 1);
        var changes = await Task.WhenAll(
            Task.Run(() => bed.Processor.ProcessAsync(Event(linkId, "huge-state", at, MoneyKitWebhookEvent.LinkStateChanged, state: huge), "dlv_2", 1)),
            Task.Run(() => bed.Processor.ProcessAsync(Event(linkId, "fine-state", at.AddSeconds(1), MoneyKitWebhookEvent.LinkStateChanged, state: "error"), "dlv_3", 1)));

        Assert.Equal((WebhookOutcome.Unstorable, 422), (refresh.Outcome, refresh.Status));
        Assert.Equal((WebhookOutcome.Unstorable, 422), (changes[0].Outcome, changes[0].Status));
        Assert.Equal((WebhookOutcome.Applied, 200), (changes[1].Outcome, changes[1].Status));
        var after = await bed.States.GetAsync(linkId);
        Assert.Equal(("error", before!.Version + 1), (after!.State, after.Version));
        Assert.Equal(["fine-state"], (await bed.EventRowsAsync(linkId)).Select(r => r.GetString("IdempotencyKey")));
        Assert.Empty(await bed.StateRowsAsync(linkId, LinkRows.ProductPrefix));
    }

    [Fact]
    public async Task Storage_that_cannot_be_reached_is_an_outage_answered_503()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var options = BridgeTables.CreateOptions();
        options.Retry.MaxRetries = 0;
        var unreachable = BridgeTables.Connect(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:1/devstoreaccount1",
            "down",
            options);
        await using var processor = new WebhookProcessor(unreachable, new LinkStateStore(unreachable, bed.Clock, Microsoft.Extensions.Options.Options.Create(new LinkStateOptions())), bed.Lifecycle, bed.Syncs, Microsoft.Extensions.Options.Options.Create(bed.Options), bed.Clock, NullLogger<WebhookProcessor>.Instance);
        var at = bed.Clock.GetUtcNow();

        var updates = await processor.ProcessAsync(Event("mk_link_any", "k1", at, MoneyKitWebhookEvent.TransactionsUpdatesAvailable), "dlv_1", 1);
        var change = await processor.ProcessAsync(Event("mk_link_any", "k2", at, MoneyKitWebhookEvent.LinkStateChanged, state: "error"), "dlv_2", 1);

        Assert.Equal((WebhookOutcome.Failed, 503), (updates.Outcome, updates.Status));
        Assert.Equal((WebhookOutcome.Failed, 503), (change.Outcome, change.Status));
    }

    private static (int, WebhookOutcome?) Short(ReceivedWebhook delivery) => (delivery.Status, delivery.Outcome);

    private static async Task<string> SandboxTokenAsync(HttpClient api)
    {
        using var response = await api.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "sandbox_client_id",
            ["client_secret"] = "sandbox_client_secret",
        }));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }
}

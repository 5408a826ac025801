using System.Globalization;
using System.Net.Http.Headers;
using System.Threading.Channels;
using MoneyKit.Sandbox.Api;

namespace MoneyKit.Sandbox.Webhooks;

/// <summary>One webhook event: the exact body bytes stay the same for every attempt and duplicate.</summary>
internal sealed record WebhookEvent(string Name, string LinkId, string Url, byte[] Body, string IdempotencyKey);

/// <summary>
/// Delivers signed webhooks in order through one queue. A non-2xx answer (or a failed connection) is retried after
/// <see cref="RetryDelays"/> on the sandbox's <see cref="TimeProvider"/>; body, idempotency key and timestamp never change,
/// the signature (and its iat) is made fresh for each attempt.
/// </summary>
internal sealed class WebhookDispatcher : IAsyncDisposable
{
    /// <summary>Backoff before attempts 2..9, about two hours in all (MoneyKit retries for up to two hours).</summary>
    public static readonly IReadOnlyList<TimeSpan> RetryDelays =
    [
        TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4),
        TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(16), TimeSpan.FromMinutes(32), TimeSpan.FromMinutes(56),
    ];

    private readonly Channel<Delivery> queue = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly List<WebhookDeliveryEntry> deliveries = [];
    private readonly HttpClient http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(15) };
    private readonly TimeProvider time;
    private readonly WebhookSigningKeys keys;
    private readonly ILogger<WebhookDispatcher> logger;
    private readonly Task worker;
    private int failNext;
    private bool duplicateNext;
    private bool reverseNext;
    private WebhookEvent? held;

    public WebhookDispatcher(TimeProvider time, WebhookSigningKeys keys, ILogger<WebhookDispatcher> logger)
    {
        this.time = time;
        this.keys = keys;
        this.logger = logger;
        worker = Task.Run(RunAsync);
    }

    private sealed record Delivery(WebhookEvent Event, string DeliveryToken, int Attempt);

    /// <summary>Queues the event; returns the delivery token of its (first) delivery.</summary>
    public string Enqueue(WebhookEvent webhook)
    {
        lock (gate)
        {
            if (reverseNext && held is null)
            {
                reverseNext = false;
                held = webhook;
                return NewDeliveryToken();
            }

            var token = Start(webhook);
            if (held is not null)
            {
                Start(held);
                held = null;
            }

            return token;
        }
    }

    public void SetBehaviour(int? failNextAttempts, bool? duplicate, bool? reverseOrder)
    {
        lock (gate)
        {
            failNext = failNextAttempts ?? failNext;
            duplicateNext = duplicate ?? duplicateNext;
            reverseNext = reverseOrder ?? reverseNext;
        }
    }

    public IReadOnlyList<WebhookDeliveryEntry> Deliveries()
    {
        lock (gate)
        {
            return [.. deliveries];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        queue.Writer.TryComplete();
        try
        {
            await worker;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        http.Dispose();
        stopping.Dispose();
    }

    private string Start(WebhookEvent webhook)
    {
        var token = NewDeliveryToken();
        queue.Writer.TryWrite(new Delivery(webhook, token, 1));
        if (duplicateNext)
        {
            duplicateNext = false;
            queue.Writer.TryWrite(new Delivery(webhook, NewDeliveryToken(), 1));
        }

        return token;
    }

    private static string NewDeliveryToken() => "dlv_" + Guid.NewGuid().ToString("N");

    private async Task RunAsync()
    {
        await foreach (var delivery in queue.Reader.ReadAllAsync(stopping.Token))
        {
            var status = await SendAsync(delivery);
            lock (gate)
            {
                deliveries.Add(new WebhookDeliveryEntry(
                    delivery.Event.Name, delivery.Event.LinkId, delivery.Attempt, status, delivery.Event.IdempotencyKey,
                    delivery.DeliveryToken, delivery.Event.Url, time.GetUtcNow().UtcDateTime));
            }

            if (status is < 200 or > 299 && delivery.Attempt <= RetryDelays.Count)
            {
                _ = RetryLaterAsync(delivery with { Attempt = delivery.Attempt + 1 }, RetryDelays[delivery.Attempt - 1]);
            }
        }
    }

    private async Task RetryLaterAsync(Delivery delivery, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, time, stopping.Token);
            queue.Writer.TryWrite(delivery);
        }
        catch (OperationCanceledException)
        {
            // Sandbox stopped; undelivered retries are dropped.
        }
    }

    /// <summary>One attempt; 0 when the connection failed or a failure was injected.</summary>
    private async Task<int> SendAsync(Delivery delivery)
    {
        lock (gate)
        {
            if (failNext > 0)
            {
                failNext--;
                return 0;
            }
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Event.Url)
            {
                Content = new ByteArrayContent(delivery.Event.Body),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("MoneyKit-Signature", keys.Sign(delivery.Event.Body));
            request.Headers.TryAddWithoutValidation("MoneyKit-Delivery-Token", delivery.DeliveryToken);
            request.Headers.TryAddWithoutValidation("MoneyKit-Delivery-Attempt", delivery.Attempt.ToString(CultureInfo.InvariantCulture));
            using var response = await http.SendAsync(request, stopping.Token);
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            // Also while stopping: a delivery failing then must not fault the worker (DisposeAsync would throw it).
            if (!stopping.IsCancellationRequested)
            {
                logger.LogInformation("Webhook {Event} for link {LinkId} attempt {Attempt} failed: {Reason}", delivery.Event.Name, delivery.Event.LinkId, delivery.Attempt, ex.Message);
            }

            return 0;
        }
    }
}

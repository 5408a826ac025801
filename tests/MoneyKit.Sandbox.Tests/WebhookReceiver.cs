using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MoneyKit.Sandbox.Tests;

internal sealed record ReceivedWebhook(byte[] Body, string Signature, string DeliveryToken, int Attempt)
{
    public System.Text.Json.Nodes.JsonObject Json => System.Text.Json.Nodes.JsonNode.Parse(Body)!.AsObject();
}

/// <summary>A webhook endpoint on a loopback port that records deliveries and answers with queued status codes (else 200).</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Channel<ReceivedWebhook> received = Channel.CreateUnbounded<ReceivedWebhook>();
    private readonly ConcurrentQueue<int> answers = new();

    private WebhookReceiver(WebApplication app) => this.app = app;

    public string Url { get; private set; } = string.Empty;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            receiver.received.Writer.TryWrite(new ReceivedWebhook(
                buffer.ToArray(),
                context.Request.Headers["MoneyKit-Signature"].ToString(),
                context.Request.Headers["MoneyKit-Delivery-Token"].ToString(),
                int.Parse(context.Request.Headers["MoneyKit-Delivery-Attempt"].ToString(), System.Globalization.CultureInfo.InvariantCulture)));
            return Results.StatusCode(receiver.answers.TryDequeue(out var status) ? status : 200);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.TrimEnd('/') + "/hook";
        return receiver;
    }

    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            answers.Enqueue(status);
        }
    }

    public async Task<ReceivedWebhook> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await received.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Next delivery of the given event, skipping others.</summary>
    public async Task<ReceivedWebhook> NextAsync(string webhookEvent)
    {
        while (true)
        {
            var next = await NextAsync();
            if (next.Json["webhook_event"]!.GetValue<string>() == webhookEvent)
            {
                return next;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

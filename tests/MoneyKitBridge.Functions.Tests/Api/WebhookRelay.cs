using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// A loopback URL the sandbox can deliver webhooks to: each delivery goes, bytes and MoneyKit headers unchanged, to the
/// app's <c>POST /api/webhooks/moneykit</c> (on its test server, or — given several apps — on one of them picked at
/// random, as a load balancer in front of scaled-out instances would); the app's answer goes back to the sandbox and
/// is queued for the test.
/// </summary>
public sealed class WebhookRelay : IAsyncDisposable
{
    private static readonly string[] ForwardedHeaders = ["MoneyKit-Signature", "MoneyKit-Delivery-Token", "MoneyKit-Delivery-Attempt"];

    private readonly Channel<int> answers = Channel.CreateUnbounded<int>();
    private readonly HttpClient[] apps;
    private readonly int[] forwarded;
    private WebApplication? receiver;

    private WebhookRelay(HttpClient[] apps)
    {
        this.apps = apps;
        forwarded = new int[apps.Length];
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>How many deliveries went to each app (in the order given to <see cref="StartAsync"/>).</summary>
    public IReadOnlyList<int> Forwarded => [.. forwarded];

    /// <summary>Starts the relay in front of <paramref name="apps"/> (clients whose base address is an app's root).</summary>
    public static async Task<WebhookRelay> StartAsync(params HttpClient[] apps)
    {
        ArgumentOutOfRangeException.ThrowIfZero(apps.Length);
        var relay = new WebhookRelay(apps);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var web = builder.Build();
        web.MapPost("/hook", relay.ForwardAsync);
        await web.StartAsync();
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        relay.Url = new Uri(address.TrimEnd('/') + "/hook");
        relay.receiver = web;
        return relay;
    }

    /// <summary>The status the app answered the next delivery with.</summary>
    public async Task<int> NextAnswerAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await answers.Reader.ReadAsync(timeout.Token);
    }

    private async Task ForwardAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/webhooks/moneykit", UriKind.Relative))
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType ?? "application/json");
        foreach (var name in ForwardedHeaders)
        {
            if (context.Request.Headers.TryGetValue(name, out var value))
            {
                request.Headers.TryAddWithoutValidation(name, value.ToString());
            }
        }

        var target = apps.Length == 1 ? 0 : Random.Shared.Next(apps.Length);
        Interlocked.Increment(ref forwarded[target]);
        HttpResponseMessage response;
        try
        {
            response = await apps[target].SendAsync(request, context.RequestAborted);
        }
        catch (HttpRequestException)
        {
            // The app is gone (stopped at the end of a test): answer as a load balancer would; the sandbox retries later.
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return;
        }

        using var _ = response;
        context.Response.StatusCode = (int)response.StatusCode;
        await answers.Writer.WriteAsync((int)response.StatusCode);
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (receiver is not null)
        {
            await receiver.DisposeAsync();
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MoneyKit.Sandbox;
using MoneyKitBridge.Core.Links;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Sync;
using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.MoneyKit;
using Azure.Data.Tables;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Webhooks;

/// <summary>One webhook request the receiver saw: what came in and what it answered.</summary>
internal sealed record ReceivedWebhook(byte[] Body, string? Signature, string? DeliveryToken, string? Attempt, int Status, string ResponseBody, WebhookProcessingResult? Processing)
{
    public string? ErrorCode => Status >= 400 ? JsonDocument.Parse(ResponseBody).RootElement.GetProperty("error_code").GetString() : null;

    public WebhookOutcome? Outcome => Processing?.Outcome;
}

/// <summary>
/// The sandbox (signing and delivering real webhooks), Azurite tables with a fresh prefix, the bridge's webhook
/// pieces on one <see cref="TestClock"/>, and a Kestrel receiver on 127.0.0.1 that hands the raw body and headers to
/// <see cref="WebhookReceiver"/> like the Functions endpoint does.
/// </summary>
internal sealed class WebhookTestBed : IAsyncDisposable
{
    public const string Owner = "user_webhooks";
    private const string DirectHeader = "X-Test-Direct";

    private readonly Channel<ReceivedWebhook> deliveries = Channel.CreateUnbounded<ReceivedWebhook>();
    private WebApplication? receiverApp;

    private WebhookTestBed(TestClock clock, SandboxServer sandbox, WebhookOptions options)
    {
        Clock = clock;
        Sandbox = sandbox;
        Options = options;
        Control = new HttpClient { BaseAddress = sandbox.BaseAddress };
        MoneyKit = new MoneyKitClient(
            new HttpClient(),
            (_, _) => ValueTask.FromResult(new MoneyKitCredentials("sandbox_client_id", "sandbox_client_secret")),
            new MoneyKitOptions { BaseUrl = sandbox.BaseAddress },
            clock,
            NullLogger<MoneyKitClient>.Instance);
        Tables = BridgeTables.Connect(TestStorage.ConnectionString, TestStorage.UniqueTableName("wh"));
        States = new LinkStateStore(Tables, clock, Microsoft.Extensions.Options.Options.Create(new LinkStateOptions()));
        Lifecycle = new LinkLifecycle(Tables, States, MoneyKit, clock, NullLogger<LinkLifecycle>.Instance);
        SyncEngine = new LinkSyncEngine(Tables, States, MoneyKit, Microsoft.Extensions.Options.Options.Create(new SyncOptions()), clock, NullLogger<LinkSyncEngine>.Instance);
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        Jwks = new MoneyKitJwks(MoneyKit, wrapped, clock, NullLogger<MoneyKitJwks>.Instance);
        Verifier = new WebhookVerifier(Jwks, wrapped, clock);
        Syncs = new BackgroundSyncScheduler(SyncEngine, NullLogger<BackgroundSyncScheduler>.Instance);
        Processor = new WebhookProcessor(Tables, States, Lifecycle, Syncs, wrapped, clock, NullLogger<WebhookProcessor>.Instance);
        Receiver = new WebhookReceiver(Verifier, Processor, NullLogger<WebhookReceiver>.Instance);
        Http = new HttpClient();
    }

    public TestClock Clock { get; }

    public SandboxServer Sandbox { get; }

    public WebhookOptions Options { get; }

    /// <summary>Plain HTTP to the sandbox (control surface).</summary>
    public HttpClient Control { get; }

    public HttpClient Http { get; }

    public MoneyKitClient MoneyKit { get; }

    public BridgeTables Tables { get; }

    public LinkStateStore States { get; }

    public LinkLifecycle Lifecycle { get; }

    public LinkSyncEngine SyncEngine { get; }

    public BackgroundSyncScheduler Syncs { get; }

    public MoneyKitJwks Jwks { get; }

    public WebhookVerifier Verifier { get; }

    public WebhookProcessor Processor { get; }

    public WebhookReceiver Receiver { get; }

    public Uri ReceiverUrl { get; private set; } = null!;

    /// <summary>When true, sandbox deliveries are only captured and answered 503 (nothing is verified or stored).</summary>
    public bool CaptureOnly { get; set; }

    public static async Task<WebhookTestBed> StartAsync(Action<WebhookOptions>? configure = null)
    {
        var clock = new TestClock();
        var options = new WebhookOptions { Issuer = "https://api.moneykit.com" };
        configure?.Invoke(options);
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions(), clock);
        var bed = new WebhookTestBed(clock, sandbox, options);
        await bed.Tables.EnsureCreatedAsync();
        await bed.StartReceiverAsync();
        return bed;
    }

    private async Task StartReceiverAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/api/webhooks/moneykit", HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        ReceiverUrl = new Uri(address.TrimEnd('/') + "/api/webhooks/moneykit");
        receiverApp = app;
    }

    /// <summary>What the Functions endpoint does: bound the body, pass raw bytes and headers, write the answer.</summary>
    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var signature = request.Headers[WebhookReceiver.SignatureHeader].FirstOrDefault();
        var token = request.Headers[WebhookReceiver.DeliveryTokenHeader].FirstOrDefault();
        var attempt = request.Headers[WebhookReceiver.DeliveryAttemptHeader].FirstOrDefault();
        var direct = request.Headers.ContainsKey(DirectHeader);
        WebhookResponse response;
        byte[] body = [];
        if (request.ContentLength > Receiver.MaxBodyBytes)
        {
            response = WebhookResponse.BodyTooLarge(Receiver.MaxBodyBytes);
        }
        else
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[4096];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0 && buffer.Length <= Receiver.MaxBodyBytes)
            {
                buffer.Write(chunk, 0, read);
            }

            body = buffer.ToArray();
            if (body.Length > Receiver.MaxBodyBytes)
            {
                response = WebhookResponse.BodyTooLarge(Receiver.MaxBodyBytes);
            }
            else if (CaptureOnly && !direct)
            {
                response = new WebhookResponse(503, Encoding.UTF8.GetBytes("{\"error_code\":\"test.capture_only\",\"error_message\":\"captured\",\"documentation_url\":null}"), null);
            }
            else
            {
                response = await Receiver.ReceiveAsync(body, signature, token, attempt, context.RequestAborted);
            }
        }

        context.Response.StatusCode = response.Status;
        context.Response.ContentType = WebhookResponse.ContentType;
        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
        if (!direct)
        {
            deliveries.Writer.TryWrite(new ReceivedWebhook(body, signature, token, attempt, response.Status, Encoding.UTF8.GetString(response.Body), response.Processing));
        }
    }

    /// <summary>The next delivery the sandbox made (fails the test instead of hanging when none comes).</summary>
    public async Task<ReceivedWebhook> NextDeliveryAsync() =>
        await deliveries.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>True when no further delivery is waiting.</summary>
    public bool NoPendingDelivery => !deliveries.Reader.TryPeek(out _);

    /// <summary>Posts straight to the receiver (a forged or replayed request), bypassing the sandbox.</summary>
    public async Task<(int Status, string? ErrorCode, string Body)> PostAsync(byte[] body, string? signature, string deliveryToken = "dlv_test", string attempt = "1")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ReceiverUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(WebhookReceiver.SignatureHeader, signature);
        }

        request.Headers.TryAddWithoutValidation(WebhookReceiver.DeliveryTokenHeader, deliveryToken);
        request.Headers.TryAddWithoutValidation(WebhookReceiver.DeliveryAttemptHeader, attempt);
        request.Headers.TryAddWithoutValidation(DirectHeader, "1");
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        string? code = null;
        if ((int)response.StatusCode >= 400)
        {
            code = JsonDocument.Parse(text).RootElement.GetProperty("error_code").GetString();
        }

        return ((int)response.StatusCode, code, text);
    }

    /// <summary>Creates a sandbox link that posts webhooks to the receiver and registers it with the bridge.</summary>
    public async Task<string> CreateLinkAsync()
    {
        using var response = await Control.PostAsJsonAsync("sandbox/links", new Dictionary<string, object> { ["customer_user_id"] = Owner, ["webhook"] = ReceiverUrl.ToString() });
        response.EnsureSuccessStatusCode();
        var linkId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("link_id").GetString()!;
        await Lifecycle.RegisterAsync(await MoneyKit.GetLinkAsync(linkId), Owner);
        return linkId;
    }

    /// <summary>Changes the link's state at the sandbox, which sends <c>link.state_changed</c>.</summary>
    public async Task SetSandboxStateAsync(string linkId, string state, string? errorCode = null)
    {
        using var response = await Control.PostAsJsonAsync($"sandbox/links/{linkId}/state", new Dictionary<string, string?> { ["state"] = state, ["error_code"] = errorCode });
        response.EnsureSuccessStatusCode();
    }

    public async Task SetDeliveryBehaviourAsync(bool? duplicate = null, bool? reverseOrder = null, int? failNext = null)
    {
        using var response = await Control.PostAsJsonAsync("sandbox/webhooks/behaviour", new Dictionary<string, object?> { ["duplicate"] = duplicate, ["reverse_order"] = reverseOrder, ["fail_next"] = failNext });
        response.EnsureSuccessStatusCode();
    }

    public async Task<string> RotateKeysAsync()
    {
        using var response = await Control.PostAsync("sandbox/keys/rotate", null);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateObject().First().Value.GetString()!;
    }

    /// <summary>JWKS requests the sandbox received.</summary>
    public async Task<int> JwksRequestCountAsync()
    {
        var log = JsonDocument.Parse(await Control.GetStringAsync("sandbox/requests")).RootElement;
        return log.EnumerateArray().Count(e => e.GetProperty("path").GetString()!.EndsWith(".well-known/jwks.json", StringComparison.Ordinal));
    }

    /// <summary>Rows of the link's partition whose row key starts with <paramref name="prefix"/> (every row when empty).</summary>
    public async Task<List<TableEntity>> RowsAsync(string linkId, string prefix)
    {
        var rows = new List<TableEntity>();
        var partition = LinkRows.Partition(linkId);
        var filter = prefix.Length == 0 ? TableKeys.PartitionFilter(partition) : LinkRows.KindFilter(partition, prefix);
        await foreach (var row in Tables.Links.QueryAsync<TableEntity>(filter))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// Rows of the link's <c>linkstates</c> partition (event rows, product rows) whose row key starts with
    /// <paramref name="prefix"/>, once the event rows of applied state changes (written after the acknowledgement) are written.
    /// </summary>
    public async Task<List<TableEntity>> StateRowsAsync(string linkId, string prefix)
    {
        await Processor.WhenRecordedAsync();
        var rows = new List<TableEntity>();
        await foreach (var row in Tables.States.QueryAsync<TableEntity>(LinkRows.KindFilter(LinkRows.Partition(linkId), prefix)))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The link's webhook event rows.</summary>
    public Task<List<TableEntity>> EventRowsAsync(string linkId) => StateRowsAsync(linkId, LinkRows.EventPrefix);

    /// <summary>The event row of one idempotency key.</summary>
    public async Task<TableEntity?> KeyRowAsync(string linkId, string idempotencyKey)
    {
        await Processor.WhenRecordedAsync();
        var row = await Tables.States.GetEntityIfExistsAsync<TableEntity>(LinkRows.Partition(linkId), LinkRows.Event(idempotencyKey));
        return row.HasValue ? row.Value : null;
    }

    /// <summary>Event rows of every link.</summary>
    public async Task<int> KeyRowCountAsync()
    {
        await Processor.WhenRecordedAsync();
        var count = 0;
        await foreach (var row in Tables.States.QueryAsync<TableEntity>(TableKeys.RowKeyPrefixFilter(LinkRows.EventPrefix)))
        {
            count++;
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        await Processor.DisposeAsync();
        await Syncs.DisposeAsync();
        if (receiverApp is not null)
        {
            await receiverApp.StopAsync();
            await receiverApp.DisposeAsync();
        }

        await Sandbox.DisposeAsync();
        try
        {
            await Tables.DeleteAllAsync();
        }
        catch (Azure.RequestFailedException)
        {
            // Best effort: Azurite's data is thrown away at the end of the run anyway.
        }

        Control.Dispose();
        Http.Dispose();
    }
}

/// <summary>Builds compact JWS strings the way an attacker (or a test) would.</summary>
internal static class TestJwt
{
    public static string Encode(string json) => Base64UrlOf(Encoding.UTF8.GetBytes(json));

    public static string Base64UrlOf(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public static string Claims(long iat, byte[] body, string iss = "https://api.moneykit.com") =>
        $"{{\"iss\":\"{iss}\",\"iat\":{iat},\"request_body_sha256\":\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body))}\"}}";

    public static string SignEs256(System.Security.Cryptography.ECDsa key, string headerJson, string claimsJson)
    {
        var input = Encode(headerJson) + "." + Encode(claimsJson);
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64UrlOf(signature);
    }

    public static string SignHs256(byte[] secret, string headerJson, string claimsJson)
    {
        var input = Encode(headerJson) + "." + Encode(claimsJson);
        return input + "." + Base64UrlOf(System.Security.Cryptography.HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
    }

    /// <summary>The header and claims of a JWS as JSON text.</summary>
    public static (JsonElement Header, JsonElement Claims) Decode(string jws)
    {
        var parts = jws.Split('.');
        return (JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0])).RootElement, JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).RootElement);
    }
}

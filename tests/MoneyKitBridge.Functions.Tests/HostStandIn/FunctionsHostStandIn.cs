using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Functions.Tests.HostStandIn;

/// <summary>
/// A test-only stand-in for the Azure Functions host: a gRPC server on 127.0.0.1 (free port) that starts the REAL built
/// worker (<c>dotnet MoneyKitBridge.Functions.dll</c> with the host's command line) and drives it over the Functions
/// protocol as the host does: <c>StartStream</c>, <c>WorkerInitRequest</c>, <c>FunctionsMetadataRequest</c>,
/// <c>FunctionLoadRequest</c> per function, then <c>InvocationRequest</c>s. HTTP functions go the way the host runs
/// them with ASP.NET Core integration: the request is forwarded to the worker's own HTTP endpoint (the <c>HttpUri</c>
/// capability of <c>WorkerInitResponse</c>) carrying <c>x-ms-invocation-id</c>, while the invocation (RpcHttp data,
/// route values and query in the trigger metadata) goes over gRPC.
/// <para>
/// It proves the worker starts in host mode, declares and loads the route table and the timer, binds route values,
/// query and body, runs its worker middleware and runs the timer job. Only the real host proves the rest: host-level
/// auth (function keys, auth levels), matching a URL to its function and route values (here the test names both),
/// <c>host.json</c> settings, resolving <c>%RefreshStaleLinks:Schedule%</c> and firing on it under the singleton lock,
/// the scale controller, extension bundles, retries, worker restarts and specialization (placeholder mode).
/// </para>
/// </summary>
public sealed class FunctionsHostStandIn : IAsyncDisposable
{
    /// <summary>The header the host adds to the HTTP request it forwards (ScriptConstants.HttpProxyCorrelationHeader).</summary>
    public const string InvocationIdHeader = "x-ms-invocation-id";

    /// <summary>The <c>WorkerInitResponse</c> capability naming the worker's HTTP endpoint (ASP.NET Core integration).</summary>
    public const string HttpUriCapability = "HttpUri";

    /// <summary>Bound on each step (worker start-up on a loaded machine included); a passing step ends when it completes.</summary>
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    private readonly Channel<IMessage> toWorker = Channel.CreateUnbounded<IMessage>();
    private readonly Lock gate = new();
    private readonly List<JsonElement> fromWorker = [];
    private readonly HttpClient http = new() { Timeout = StepTimeout };
    private WebApplication? server;
    private StandaloneProcess? worker;

    /// <summary>The worker's <c>WorkerInitResponse</c>.</summary>
    public JsonElement InitResponse { get; private set; }

    /// <summary>The worker's <c>FunctionMetadataResponse</c> results, each loaded with a <c>FunctionLoadRequest</c>.</summary>
    public IReadOnlyList<JsonElement> Functions { get; private set; } = [];

    /// <summary>The worker's HTTP endpoint (its <c>HttpUri</c> capability).</summary>
    public Uri HttpUri { get; private set; } = null!;

    /// <summary>Waits for the <c>RpcLog</c> the worker sends the host for <paramref name="invocationId"/> containing <paramref name="fragment"/>.</summary>
    public Task<JsonElement> LogAsync(string invocationId, string fragment) =>
        ReceiveAsync("rpcLog", l => l.TryGetProperty("invocationId", out var id) && id.GetString() == invocationId
            && l.GetProperty("message").GetString()!.Contains(fragment, StringComparison.Ordinal));

    /// <summary>Starts the gRPC server and the worker, and runs the host's start-up sequence up to loaded functions.</summary>
    public async Task StartAsync(IDictionary<string, string?> settings)
    {
        try
        {
            await StartCoreAsync(settings);
        }
        catch
        {
            await DisposeAsync(); // no worker process outlives a failed start
            throw;
        }
    }

    private async Task StartCoreAsync(IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = null);
        builder.Services.AddSingleton(this);
        builder.Services.AddSingleton<IServiceMethodProvider<FunctionsHostStandIn>, EventStreamBinding>();
        server = builder.Build();
        server.MapGrpcService<FunctionsHostStandIn>();
        await server.StartAsync();
        var endpoint = new Uri(server.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

        // The host's arguments for a gRPC language worker (RpcWorkerContext.GetFormattedArguments), old and new names.
        var (workerId, requestId) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var port = endpoint.Port.ToString(CultureInfo.InvariantCulture);
        var app = BuiltMetadata.AppOutput;
        worker = StandaloneProcess.StartWorker(
            [
                "--host", "127.0.0.1", "--port", port, "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", "2147483647",
                "--functions-uri", endpoint.AbsoluteUri, "--functions-worker-id", workerId, "--functions-request-id", requestId,
                "--functions-grpc-max-message-length", "2147483647",
            ],
            settings,
            app);

        var start = await ReceiveAsync("startStream");
        Assert.Equal(workerId, start.GetProperty("workerId").GetString());

        InitResponse = await RequestAsync("workerInitRequest", new { hostVersion = "4.1041.0", workerDirectory = app, functionAppDirectory = app }, "workerInitResponse");
        AssertSuccess(InitResponse);
        HttpUri = new Uri(InitResponse.GetProperty("capabilities").GetProperty(HttpUriCapability).GetString()!);

        var metadata = await RequestAsync("functionsMetadataRequest", new { functionAppDirectory = app }, "functionMetadataResponse");
        AssertSuccess(metadata);
        Functions = [.. metadata.GetProperty("functionMetadataResults").EnumerateArray()];
        foreach (var function in Functions)
        {
            var id = function.GetProperty("functionId").GetString();
            Send(new { requestId = NewId(), functionLoadRequest = new { functionId = id, metadata = function } });
            AssertSuccess(await ReceiveAsync("functionLoadResponse", r => r.GetProperty("functionId").GetString() == id));
        }
    }

    /// <summary>
    /// Invokes HTTP function <paramref name="functionName"/> as the host does with a proxying worker: forwards
    /// <paramref name="request"/> (a path relative to the worker's endpoint) with <see cref="InvocationIdHeader"/> and sends
    /// the <c>InvocationRequest</c>. Returns the HTTP response and the <c>InvocationResponse</c>.
    /// </summary>
    public async Task<(HttpResponseMessage Response, JsonElement Invocation)> InvokeHttpAsync(
        string functionName, HttpRequestMessage request, IReadOnlyDictionary<string, string>? routeValues = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (function, trigger) = Function(functionName);
        var invocationId = NewId();
        request.RequestUri = new Uri(HttpUri, request.RequestUri!);
        request.Headers.Add(InvocationIdHeader, invocationId);
        var query = QueryHelpers.ParseQuery(request.RequestUri.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(',', h.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync();
        var routeData = routeValues ?? new Dictionary<string, string>();

        var forwarded = http.SendAsync(request);
        var triggerMetadata = routeData.ToDictionary(r => r.Key, r => (object)new { @string = r.Value });
        triggerMetadata["Query"] = new { json = JsonSerializer.Serialize(query) };
        triggerMetadata["Headers"] = new { json = JsonSerializer.Serialize(headers) };
        var rpcHttp = new { method = request.Method.Method, url = request.RequestUri.AbsoluteUri, headers, query, @params = routeData, body = body is null ? null : new { @string = body } };
        var invocation = Invoke(invocationId, function, new { name = trigger, data = new { http = rpcHttp } }, triggerMetadata);
        return (await forwarded.WaitAsync(StepTimeout), await invocation);
    }

    /// <summary>Invokes timer function <paramref name="functionName"/> with the <c>TimerInfo</c> JSON the timer extension sends.</summary>
    public Task<JsonElement> InvokeTimerAsync(string functionName, bool isPastDue)
    {
        var (function, trigger) = Function(functionName);
        var timerInfo = JsonSerializer.Serialize(new { Schedule = new { AdjustForDST = true }, ScheduleStatus = (object?)null, IsPastDue = isPastDue });
        var sys = JsonSerializer.Serialize(new { MethodName = functionName });
        return Invoke(NewId(), function, new { name = trigger, data = new { json = timerInfo } }, new Dictionary<string, object> { ["sys"] = new { json = sys } });
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        if (worker is not null)
        {
            await worker.DisposeAsync(); // kills the worker process tree
            worker = null;
        }

        if (server is not null)
        {
            await server.StopAsync();
            await server.DisposeAsync();
            server = null;
        }
    }

    internal async Task EventStreamAsync(IAsyncStreamReader<IMessage> requests, IServerStreamWriter<IMessage> responses, ServerCallContext context)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var writing = Task.Run(async () =>
        {
            await foreach (var message in toWorker.Reader.ReadAllAsync(stop.Token))
            {
                await responses.WriteAsync(message, stop.Token);
            }
        });
        try
        {
            await foreach (var message in requests.ReadAllAsync(stop.Token))
            {
                var json = FunctionRpcProtocol.ToJson(message);
                lock (gate)
                {
                    fromWorker.Add(json);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await writing.ContinueWith(_ => { }, TaskScheduler.Default); // ends by cancellation
        }
    }

    private async Task<JsonElement> Invoke(string invocationId, string functionId, object triggerInput, Dictionary<string, object> triggerMetadata)
    {
        // Every host invocation carries a W3C trace context (the worker requires one).
        var traceContext = new { traceParent = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01", traceState = "" };
        Send(new { requestId = NewId(), invocationRequest = new { invocationId, functionId, inputData = new[] { triggerInput }, triggerMetadata, traceContext } });
        return await ReceiveAsync("invocationResponse", r => r.GetProperty("invocationId").GetString() == invocationId);
    }

    private (string FunctionId, string TriggerBinding) Function(string name)
    {
        var function = Assert.Single(Functions, f => f.GetProperty("name").GetString() == name);
        var trigger = Assert.Single(function.GetProperty("bindings").EnumerateObject(), b => b.Value.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
        return (function.GetProperty("functionId").GetString()!, trigger.Name);
    }

    private async Task<JsonElement> RequestAsync(string request, object content, string response)
    {
        Send(new Dictionary<string, object> { ["requestId"] = NewId(), [request] = content });
        return await ReceiveAsync(response);
    }

    private void Send(object message) => Assert.True(toWorker.Writer.TryWrite(FunctionRpcProtocol.FromJson(message)));

    /// <summary>The first message of kind <paramref name="content"/> (a <c>StreamingMessage</c> oneof case) that matches.</summary>
    private Task<JsonElement> ReceiveAsync(string content, Func<JsonElement, bool>? match = null) =>
        Eventually.ValueAsync(
            () => Task.FromResult(Received(content).FirstOrDefault(m => match?.Invoke(m) ?? true)),
            m => m.ValueKind != JsonValueKind.Undefined,
            $"the worker's {content}",
            StepTimeout,
            _ => $"worker exited: {worker?.HasExited}; stderr: {string.Join(Environment.NewLine, worker?.StandardError ?? [])}");

    private List<JsonElement> Received(string content)
    {
        lock (gate)
        {
            return [.. fromWorker.Where(m => m.TryGetProperty(content, out _)).Select(m => m.GetProperty(content))];
        }
    }

    private static void AssertSuccess(JsonElement response) =>
        Assert.True(response.GetProperty("result").TryGetProperty("status", out var status) && status.GetString() == "Success", response.ToString());

    private static string NewId() => Guid.NewGuid().ToString();

    /// <summary>Binds the one duplex method to the stand-in (no generated service base: the package has no server stub).</summary>
    private sealed class EventStreamBinding : IServiceMethodProvider<FunctionsHostStandIn>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<FunctionsHostStandIn> context) =>
            context.AddDuplexStreamingMethod(FunctionRpcProtocol.EventStream, [], (host, requests, responses, call) => host.EventStreamAsync(requests, responses, call));
    }
}

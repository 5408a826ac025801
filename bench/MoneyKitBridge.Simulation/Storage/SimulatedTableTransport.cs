using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace MoneyKitBridge.Simulation.Storage;

/// <summary>
/// An in-process Table service behind the Azure SDK's transport seam (<see cref="Azure.Core.ClientOptions.Transport"/>):
/// the real <c>Azure.Data.Tables</c> client builds, signs and parses every request, this answers it from
/// <see cref="SimulatedTables"/> with the service's JSON, status codes, ETag rules (<c>If-Match</c>, upserts without
/// it) and query paging (at most 1,000 rows a page, and a page ends after the rows the service can examine in 5 s).
/// Each request is counted per partition and moves the simulated clock by its modelled latency.
/// </summary>
internal sealed partial class SimulatedTableTransport(SimulatedTables store, PartitionTraffic traffic, SimulatedLatency latency, TableModel model) : HttpPipelineTransport
{
    private const int MaxPageRows = 1000;
    private readonly Lock gate = new();

    /// <summary>Called after each query page with the filter text and whether it was the last page.</summary>
    public Action<string, bool>? QueryPageServed { get; set; }

    public override Request CreateRequest() => new SimulatedRequest();

    public override void Process(HttpMessage message) => ProcessAsync(message).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = (SimulatedRequest)message.Request;
        var uri = request.Uri.ToUri();
        var path = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var query = ParseQuery(uri.Query);
        SimulatedResponse response;
        TimeSpan spent;
        string? servedFilter = null;
        var lastPage = false;
        lock (gate)
        {
            var now = latency.Clock.GetUtcNow();
            var second = now.ToUnixTimeSeconds();
            if (path.StartsWith("Tables", StringComparison.Ordinal))
            {
                (response, spent) = (SimulatedResponse.Empty(request.Method == RequestMethod.Post ? 201 : 204), model.PointLatency);
            }
            else if (EntityPath().Match(path) is { Success: true } entityMatch)
            {
                var table = entityMatch.Groups[1].Value;
                var partitionKey = entityMatch.Groups[2].Value.Replace("''", "'", StringComparison.Ordinal);
                var rowKey = entityMatch.Groups[3].Value.Replace("''", "'", StringComparison.Ordinal);
                response = Entity(request, table, partitionKey, rowKey, now);
                traffic.Record(table, partitionKey, second, 1);
                spent = model.PointLatency;
            }
            else if (path.EndsWith("()", StringComparison.Ordinal))
            {
                var table = path[..^2];
                var filterText = query.GetValueOrDefault("$filter") ?? string.Empty;
                var filter = ODataFilter.Parse(filterText);
                var top = query.TryGetValue("$top", out var t) ? Math.Min(MaxPageRows, int.Parse(t, System.Globalization.CultureInfo.InvariantCulture)) : MaxPageRows;
                var page = store.Query(table, filter, top, model.MaxExaminedPerPage, query.GetValueOrDefault("NextPartitionKey"), query.GetValueOrDefault("NextRowKey"));
                response = QueryResponse(page);
                var scan = TimeSpan.FromSeconds(page.Examined / model.ScanRowsPerSecond);
                traffic.Record(table, filter.Partition ?? "(all)", second, Math.Max(1, page.Examined), Math.Max(1, (int)Math.Ceiling(scan.TotalSeconds)));
                spent = model.PointLatency + scan;
                servedFilter = filterText;
                lastPage = page.NextPartition is null;
            }
            else if (request.Method == RequestMethod.Post)
            {
                var body = ReadBody(request);
                var (partitionKey, rowKey, properties) = EntityJson.Read(body);
                if (store.Get(path, partitionKey!, rowKey!, now) is not null)
                {
                    response = SimulatedResponse.Error(409, "EntityAlreadyExists");
                }
                else
                {
                    var stored = store.Put(path, partitionKey!, rowKey!, properties, now);
                    response = SimulatedResponse.Empty(204).With("ETag", stored.ETag);
                }

                traffic.Record(path, partitionKey!, second, 1);
                spent = model.PointLatency;
            }
            else
            {
                throw new NotSupportedException($"The simulated Table service does not serve {request.Method} {path}.");
            }
        }

        message.Response = response;
        latency.Spend(spent);
        if (servedFilter is not null)
        {
            QueryPageServed?.Invoke(servedFilter, lastPage);
        }

        return default;
    }

    private SimulatedResponse Entity(SimulatedRequest request, string table, string partitionKey, string rowKey, DateTimeOffset now)
    {
        var current = store.Get(table, partitionKey, rowKey, now);
        var ifMatch = request.Headers.TryGetValue("If-Match", out var value) ? value : null;
        if (request.Method == RequestMethod.Get)
        {
            return current is null ? SimulatedResponse.Error(404, "ResourceNotFound") : SimulatedResponse.Json(200, current.Json).With("ETag", current.ETag);
        }

        if (ifMatch is not null && (current is null || (ifMatch != "*" && ifMatch != current.ETag)))
        {
            return current is null ? SimulatedResponse.Error(404, "ResourceNotFound") : SimulatedResponse.Error(412, "UpdateConditionNotSatisfied");
        }

        if (request.Method == RequestMethod.Delete)
        {
            store.Delete(table, partitionKey, rowKey, now);
            return SimulatedResponse.Empty(204);
        }

        var (_, _, properties) = EntityJson.Read(ReadBody(request));
        var merge = request.Method == RequestMethod.Patch || request.Method.Method == "MERGE";
        if (merge && current is not null)
        {
            var merged = new Dictionary<string, object>(current.Properties, StringComparer.Ordinal);
            foreach (var (name, v) in properties)
            {
                merged[name] = v;
            }

            properties = merged;
        }

        var stored = store.Put(table, partitionKey, rowKey, properties, now);
        return SimulatedResponse.Empty(204).With("ETag", stored.ETag);
    }

    private static SimulatedResponse QueryResponse(QueryPage page)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (page.Matches.Count * 400));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("value");
            foreach (var row in page.Matches)
            {
                writer.WriteRawValue(row.Json, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var response = SimulatedResponse.Json(200, buffer.WrittenSpan.ToArray());
        return page.NextPartition is null
            ? response
            : response.With("x-ms-continuation-NextPartitionKey", page.NextPartition).With("x-ms-continuation-NextRowKey", page.NextRow!);
    }

    private static byte[] ReadBody(SimulatedRequest request)
    {
        using var stream = new MemoryStream();
        request.Content?.WriteTo(stream, CancellationToken.None);
        return stream.ToArray();
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? part : part[..equals]);
            values[name] = equals < 0 ? string.Empty : Uri.UnescapeDataString(part[(equals + 1)..].Replace('+', ' '));
        }

        return values;
    }

    [GeneratedRegex(@"^([^(/]+)\(PartitionKey='((?:[^']|'')*)',RowKey='((?:[^']|'')*)'\)$")]
    private static partial Regex EntityPath();

    private sealed class SimulatedRequest : Request
    {
        private readonly Dictionary<string, string> headers = new(StringComparer.OrdinalIgnoreCase);

        public override string ClientRequestId { get; set; } = string.Empty;

        public override void Dispose()
        {
        }

        protected override void AddHeader(string name, string value) =>
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + "," + value : value;

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => headers.TryGetValue(name, out value);

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = headers.TryGetValue(name, out var value) ? [value] : null;
            return values is not null;
        }

        protected override bool ContainsHeader(string name) => headers.ContainsKey(name);

        protected override void SetHeader(string name, string value) => headers[name] = value;

        protected override bool RemoveHeader(string name) => headers.Remove(name);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers.Select(h => new HttpHeader(h.Key, h.Value));
    }

    private sealed class SimulatedResponse(int status) : Response
    {
        private readonly Dictionary<string, string> headers = new(StringComparer.OrdinalIgnoreCase);

        public override int Status { get; } = status;

        public override string ReasonPhrase => Status.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public override Stream? ContentStream { get; set; }

        public override string ClientRequestId { get; set; } = string.Empty;

        public static SimulatedResponse Empty(int status) => new(status);

        public static SimulatedResponse Json(int status, byte[] body)
        {
            var response = new SimulatedResponse(status) { ContentStream = new MemoryStream(body) };
            return response.With("Content-Type", "application/json;odata=minimalmetadata;streaming=true;charset=utf-8");
        }

        public static SimulatedResponse Error(int status, string code)
        {
            var body = Encoding.UTF8.GetBytes("{\"odata.error\":{\"code\":\"" + code + "\",\"message\":{\"lang\":\"en-US\",\"value\":\"" + code + "\"}}}");
            return Json(status, body).With("x-ms-error-code", code);
        }

        public SimulatedResponse With(string name, string value)
        {
            headers[name] = value;
            return this;
        }

        public override void Dispose() => ContentStream?.Dispose();

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => headers.TryGetValue(name, out value);

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = headers.TryGetValue(name, out var value) ? [value] : null;
            return values is not null;
        }

        protected override bool ContainsHeader(string name) => headers.ContainsKey(name);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers.Select(h => new HttpHeader(h.Key, h.Value));
    }
}

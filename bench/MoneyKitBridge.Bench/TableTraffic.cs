using Azure.Core;
using Azure.Core.Pipeline;

namespace MoneyKitBridge.Bench;

/// <summary>
/// Observes (never changes) the requests the Table client sends: how many HTTP requests, and every entity
/// write by row-key kind — single writes and each operation inside a <c>$batch</c>, read from the request body.
/// </summary>
public sealed class TableTraffic : HttpPipelineSynchronousPolicy
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, int> writesByKind = new(StringComparer.Ordinal);
    private int requests;
    private int batches;

    /// <summary>HTTP requests to the Table service since the last <see cref="Reset"/>.</summary>
    public int Requests
    {
        get
        {
            lock (gate)
            {
                return requests;
            }
        }
    }

    /// <summary><c>$batch</c> requests since the last <see cref="Reset"/>.</summary>
    public int Batches
    {
        get
        {
            lock (gate)
            {
                return batches;
            }
        }
    }

    /// <summary>Entity writes (insert, upsert, update, merge, delete) by kind since the last <see cref="Reset"/>.</summary>
    public IReadOnlyDictionary<string, int> WritesByKind
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, int>(writesByKind, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Entity writes of one kind (0 when none).</summary>
    public int Writes(string kind) => WritesByKind.GetValueOrDefault(kind);

    /// <summary>All entity writes.</summary>
    public int TotalWrites => WritesByKind.Values.Sum();

    public void Reset()
    {
        lock (gate)
        {
            requests = 0;
            batches = 0;
            writesByKind.Clear();
        }
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = message.Request;
        var path = Uri.UnescapeDataString(request.Uri.Path);
        var isWrite = request.Method != RequestMethod.Get && request.Method != RequestMethod.Head;
        List<string> written = [];
        var isBatch = path.EndsWith("/$batch", StringComparison.Ordinal);
        if (isBatch && request.Content is { } content)
        {
            using var body = new MemoryStream();
            content.WriteTo(body, CancellationToken.None);
            using var reader = new StringReader(System.Text.Encoding.UTF8.GetString(body.ToArray()));
            while (reader.ReadLine() is { } line)
            {
                if (line.StartsWith("POST ", StringComparison.Ordinal))
                {
                    // An insert names its row in the JSON body, not in the URL.
                    string? next;
                    while ((next = reader.ReadLine()) is not null && !next.StartsWith('{'))
                    {
                    }

                    var rowKey = next is null ? null : System.Text.RegularExpressions.Regex.Match(next, "\"RowKey\":\"([^\"]*)\"").Groups[1].Value;
                    // The table is the path's last segment: the query ($format=application/json;...) holds slashes too.
                    var table = line.Split(' ')[1].Split('?')[0].TrimEnd('/');
                    written.Add(Classify(Uri.UnescapeDataString(table + "(PartitionKey='',RowKey='" + rowKey + "')")));
                }
                else if (line.StartsWith("PUT ", StringComparison.Ordinal) || line.StartsWith("PATCH ", StringComparison.Ordinal)
                    || line.StartsWith("DELETE ", StringComparison.Ordinal) || line.StartsWith("MERGE ", StringComparison.Ordinal))
                {
                    written.Add(Classify(Uri.UnescapeDataString(line)));
                }
            }
        }
        else if (isWrite && !path.Contains("/Tables", StringComparison.Ordinal))
        {
            // A POST to a table inserts a row whose key is in the body; the bench only inserts that way into link state rows.
            written.Add(request.Method == RequestMethod.Post ? "insert" : Classify(path));
        }

        lock (gate)
        {
            requests++;
            if (isBatch)
            {
                batches++;
            }

            foreach (var kind in written)
            {
                writesByKind[kind] = writesByKind.GetValueOrDefault(kind) + 1;
            }
        }
    }

    /// <summary>Kind of the entity addressed by a URL: the row-key prefix of a link partition, else the table.</summary>
    private static string Classify(string text)
    {
        var row = text.IndexOf("RowKey='", StringComparison.Ordinal);
        if (row < 0)
        {
            return "insert";
        }

        var key = text[(row + 8)..];
        var table = text[..text.LastIndexOf('(', row)];
        table = table[(table.LastIndexOf('/') + 1)..];
        if (!table.EndsWith("links", StringComparison.Ordinal) || table.EndsWith("userlinks", StringComparison.Ordinal))
        {
            return table.EndsWith("linkindex", StringComparison.Ordinal) ? "index" : "other";
        }

        return key switch
        {
            _ when key.StartsWith("tx_", StringComparison.Ordinal) => "transaction",
            _ when key.StartsWith("acct_", StringComparison.Ordinal) => "account",
            _ when key.StartsWith("state'", StringComparison.Ordinal) => "state",
            _ when key.StartsWith("sync_", StringComparison.Ordinal) => "history",
            _ => "other",
        };
    }
}

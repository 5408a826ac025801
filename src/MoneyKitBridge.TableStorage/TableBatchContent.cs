using System.Globalization;
using System.Text;
using Azure;

namespace MoneyKitBridge.TableStorage;

/// <summary>
/// Writes the <c>multipart/mixed</c> body of an entity group transaction by hand (unquoted, prefixed
/// <c>batch_</c>/<c>changeset_</c> boundaries, CRLF, absolute sub-request URLs, one-line JSON) and reads the
/// answer, counting the inner status lines so a short answer can never pass as success.
/// </summary>
internal sealed class TableBatchContent
{
    public TableBatchContent(Uri endpoint, string table, IReadOnlyList<TableTransactionAction> actions)
    {
        var batch = "batch_" + Guid.NewGuid().ToString("D");
        var changeset = "changeset_" + Guid.NewGuid().ToString("D");
        ContentType = "multipart/mixed; boundary=" + batch;

        var body = new StringBuilder();
        body.Append("--").Append(batch).Append("\r\n");
        body.Append("Content-Type: multipart/mixed; boundary=").Append(changeset).Append("\r\n\r\n");
        var baseUrl = endpoint.AbsoluteUri.TrimEnd('/');
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var entity = action.Entity;
            TableClient.ValidateKey(entity.PartitionKey, nameof(actions));
            TableClient.ValidateKey(entity.RowKey, nameof(actions));
            var entityUrl = baseUrl + "/" + table + "(PartitionKey='" + TableClient.EscapeKey(entity.PartitionKey) + "',RowKey='" + TableClient.EscapeKey(entity.RowKey) + "')";
            var ifMatch = (action.ETag == default ? ETag.All : action.ETag).ToString("H");
            var (verb, url, withBody, match) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", baseUrl + "/" + table, true, (string?)null),
                TableTransactionActionType.UpdateMerge => ("PATCH", entityUrl, true, ifMatch),
                TableTransactionActionType.UpdateReplace => ("PUT", entityUrl, true, ifMatch),
                TableTransactionActionType.Delete => ("DELETE", entityUrl, false, ifMatch),
                TableTransactionActionType.UpsertMerge => ("PATCH", entityUrl, true, null),
                TableTransactionActionType.UpsertReplace => ("PUT", entityUrl, true, null),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.ActionType, "Unknown action type."),
            };

            body.Append("--").Append(changeset).Append("\r\n");
            body.Append("Content-Type: application/http\r\n");
            body.Append("Content-Transfer-Encoding: binary\r\n");
            body.Append("Content-ID: ").Append(i.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
            body.Append(verb).Append(' ').Append(url).Append(" HTTP/1.1\r\n");
            body.Append("Accept: application/json;odata=minimalmetadata\r\n");
            body.Append("DataServiceVersion: 3.0\r\n");
            if (match is not null)
            {
                body.Append("If-Match: ").Append(match).Append("\r\n");
            }

            if (withBody)
            {
                body.Append("Content-Type: application/json\r\n");
                if (action.ActionType == TableTransactionActionType.Add)
                {
                    body.Append("Prefer: return-no-content\r\n");
                }

                body.Append("\r\n").Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(entity))).Append("\r\n");
            }
            else
            {
                body.Append("\r\n");
            }
        }

        body.Append("--").Append(changeset).Append("--\r\n");
        body.Append("--").Append(batch).Append("--\r\n");
        Body = Encoding.UTF8.GetBytes(body.ToString());
    }

    public string ContentType { get; }

    public byte[] Body { get; }

    /// <summary>Reads the changeset answer: one 2xx per action, or one failing part (index in its message).</summary>
    public static IReadOnlyList<ETag> ReadResponse(string response, int expected)
    {
        var lines = response.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var etags = new List<ETag>(expected);
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("HTTP/", StringComparison.Ordinal))
            {
                continue;
            }

            var statusText = lines[i].Split(' ', 3);
            var status = statusText.Length > 1 && int.TryParse(statusText[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
            ETag etag = default;
            var j = i + 1;
            for (; j < lines.Length && lines[j].Length > 0; j++)
            {
                if (lines[j].StartsWith("ETag:", StringComparison.OrdinalIgnoreCase))
                {
                    etag = new ETag(lines[j]["ETag:".Length..].Trim());
                }
            }

            if (status is < 200 or >= 300)
            {
                var bodyLine = j + 1 < lines.Length ? lines[j + 1] : string.Empty;
                var (code, text) = TableEntityJson.ReadError(Encoding.UTF8.GetBytes(bodyLine));
                var first = TableClient.FirstLine(text);
                int? index = null;
                var colon = first.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && int.TryParse(first.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var idx))
                {
                    index = idx;
                }

                throw new TableTransactionFailedException(status, $"Entity group transaction failed at action {index?.ToString(CultureInfo.InvariantCulture) ?? "?"}: {status} {code}: {first}", code, index);
            }

            etags.Add(etag);
            i = j;
        }

        if (etags.Count != expected)
        {
            throw new TableTransactionFailedException(202, $"The entity group transaction answered {etags.Count} results for {expected} actions; treating it as failed.", "IncompleteBatchResponse", null);
        }

        return etags;
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace MoneyKitBridge.TableStorage;

/// <summary>
/// Operations on one table: entities (get, add, upsert, update with ETag, delete), queries that follow
/// continuation tokens page by page, and atomic entity group transactions.
/// </summary>
public sealed class TableClient
{
    private const string JsonMinimal = "application/json;odata=minimalmetadata";
    private const string JsonNoMetadata = "application/json;odata=nometadata";

    private readonly HttpPipeline pipeline;
    private readonly Uri endpoint;

    internal TableClient(HttpPipeline pipeline, Uri endpoint, string name)
    {
        if (!IsValidTableName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid table name (a letter, then 2-62 letters or digits).", nameof(name));
        }

        this.pipeline = pipeline;
        this.endpoint = endpoint;
        Name = name;
    }

    /// <summary>The table name.</summary>
    public string Name { get; }

    internal static bool IsValidTableName(string? name) =>
        name is { Length: >= 3 and <= 63 } && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);

    /// <summary>Creates the table unless it exists.</summary>
    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Post, "/Tables");
        message.Request.Headers.SetValue("Content-Type", JsonNoMetadata);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes("{\"TableName\":\"" + Name + "\"}"));
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.Status is 201 or 204)
        {
            return;
        }

        var error = CreateException(response);
        if (response.Status == 409 && error.ErrorCode == "TableAlreadyExists")
        {
            return;
        }

        throw error;
    }

    /// <summary>Deletes the table (absent is fine).</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, "/Tables('" + Name + "')");
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.Status is 204 or 404)
        {
            return;
        }

        throw CreateException(response);
    }

    /// <summary>Reads one entity; null when it does not exist.</summary>
    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, EntityPath(partitionKey, rowKey));
        if (select is not null)
        {
            message.Request.Uri.AppendQuery("$select", string.Join(',', select));
        }

        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.Status == 404)
        {
            return null;
        }

        if (response.Status != 200)
        {
            throw CreateException(response);
        }

        using var doc = JsonDocument.Parse(response.Content.ToMemory());
        var entity = TableEntityJson.Deserialize(doc.RootElement);
        if (response.Headers.ETag is { } etag)
        {
            entity.ETag = etag;
        }

        return entity;
    }

    /// <summary>Inserts a new entity; 409 <c>EntityAlreadyExists</c> when it exists. Returns the new ETag.</summary>
    public async Task<ETag> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        using var message = CreateMessage(RequestMethod.Post, "/" + Name);
        message.Request.Headers.SetValue("Content-Type", JsonNoMetadata);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        message.Request.Content = RequestContent.Create(TableEntityJson.Serialize(entity));
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status is 201 or 204 ? response.Headers.ETag ?? default : throw CreateException(response);
    }

    /// <summary>Inserts or replaces (<paramref name="merge"/> false) or inserts or merges (true). Returns the new ETag.</summary>
    public Task<ETag> UpsertEntityAsync(TableEntity entity, bool merge = false, CancellationToken cancellationToken = default) =>
        WriteEntityAsync(entity, merge, ifMatch: null, cancellationToken);

    /// <summary>
    /// Replaces (or merges) an existing entity only if its ETag is still <paramref name="ifMatch"/> (<c>*</c> when
    /// default). Throws <see cref="TableConcurrencyException"/> on a mismatch, 404 when it does not exist.
    /// </summary>
    public Task<ETag> UpdateEntityAsync(TableEntity entity, ETag ifMatch, bool merge = false, CancellationToken cancellationToken = default) =>
        WriteEntityAsync(entity, merge, ifMatch == default ? ETag.All : ifMatch, cancellationToken);

    private async Task<ETag> WriteEntityAsync(TableEntity entity, bool merge, ETag? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        using var message = CreateMessage(merge ? RequestMethod.Patch : RequestMethod.Put, EntityPath(entity.PartitionKey, entity.RowKey));
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Headers.SetValue("Accept", "application/json");
        if (ifMatch is { } etag)
        {
            message.Request.Headers.SetValue("If-Match", etag.ToString("H"));
        }

        message.Request.Content = RequestContent.Create(TableEntityJson.Serialize(entity));
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status == 204 ? response.Headers.ETag ?? default : throw CreateException(response);
    }

    /// <summary>
    /// Deletes an entity if its ETag matches (<c>*</c> when default). A missing entity is success;
    /// a changed one throws <see cref="TableConcurrencyException"/>.
    /// </summary>
    public async Task DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, EntityPath(partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", (ifMatch == default ? ETag.All : ifMatch).ToString("H"));
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.Status is 204 or 404)
        {
            return;
        }

        throw CreateException(response);
    }

    /// <summary>
    /// Every entity matching <paramref name="filter"/> (continuations followed transparently). With
    /// <paramref name="readAhead"/> the next page is requested as soon as a page's headers name it, so the service
    /// works on it while this page is parsed and consumed (for reads that want every page).
    /// </summary>
    public async IAsyncEnumerable<TableEntity> QueryAsync(
        string? filter = null,
        int? maxPerPage = null,
        IEnumerable<string>? select = null,
        bool readAhead = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in QueryPagesAsync(filter, maxPerPage, select, null, readAhead, cancellationToken).ConfigureAwait(false))
        {
            foreach (var entity in page.Values)
            {
                yield return entity;
            }
        }
    }

    /// <summary>
    /// Pages of entities matching <paramref name="filter"/>; each page carries the continuation token to resume
    /// with (null on the last). Empty pages with a continuation are followed, not returned. With
    /// <paramref name="readAhead"/> the next page is already requested while a page is parsed and consumed; a
    /// consumer that stops early cancels that request.
    /// </summary>
    public async IAsyncEnumerable<Page<TableEntity>> QueryPagesAsync(
        string? filter = null,
        int? maxPerPage = null,
        IEnumerable<string>? select = null,
        string? continuationToken = null,
        bool readAhead = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var selectText = select is null ? null : string.Join(',', select.Concat(["PartitionKey", "RowKey"]).Distinct(StringComparer.Ordinal));
        var (nextPartition, nextRow) = ParseContinuation(continuationToken);
        using var readAheadCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = SendQueryAsync(filter, selectText, maxPerPage, nextPartition, nextRow, readAheadCancellation.Token);
        try
        {
            while (pending is not null)
            {
                var current = pending;
                pending = null;
                using var message = await current.ConfigureAwait(false);
                var response = message.Response;
                if (response.Status != 200)
                {
                    throw CreateException(response);
                }

                response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out nextPartition);
                response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out nextRow);
                var more = nextPartition is not null || nextRow is not null;
                if (more && readAhead)
                {
                    pending = SendQueryAsync(filter, selectText, maxPerPage, nextPartition, nextRow, readAheadCancellation.Token);
                }

                var values = new List<TableEntity>();
                using (var doc = JsonDocument.Parse(response.Content.ToMemory()))
                {
                    foreach (var item in doc.RootElement.GetProperty("value").EnumerateArray())
                    {
                        values.Add(TableEntityJson.Deserialize(item));
                    }
                }

                var token = more ? nextPartition + " " + nextRow : null;
                if (values.Count > 0 || token is null)
                {
                    yield return Page<TableEntity>.FromValues(values, token, response);
                }

                if (more && !readAhead)
                {
                    pending = SendQueryAsync(filter, selectText, maxPerPage, nextPartition, nextRow, readAheadCancellation.Token);
                }
            }
        }
        finally
        {
            if (pending is not null)
            {
                // The consumer stopped (or a page failed) with a page still in flight: cancel it and release it.
                await readAheadCancellation.CancelAsync().ConfigureAwait(false);
                try
                {
                    (await pending.ConfigureAwait(false)).Dispose();
                }
                catch (OperationCanceledException)
                {
                }
                catch (RequestFailedException)
                {
                }
            }
        }
    }

    private async Task<HttpMessage> SendQueryAsync(string? filter, string? selectText, int? top, string? nextPartition, string? nextRow, CancellationToken cancellationToken)
    {
        var message = CreateMessage(RequestMethod.Get, "/" + Name + "()");
        try
        {
            if (filter is not null)
            {
                message.Request.Uri.AppendQuery("$filter", filter);
            }

            if (selectText is not null)
            {
                message.Request.Uri.AppendQuery("$select", selectText);
            }

            if (top is { } count)
            {
                message.Request.Uri.AppendQuery("$top", count.ToString(CultureInfo.InvariantCulture));
            }

            if (nextPartition is not null)
            {
                message.Request.Uri.AppendQuery("NextPartitionKey", nextPartition);
            }

            if (nextRow is not null)
            {
                message.Request.Uri.AppendQuery("NextRowKey", nextRow);
            }

            await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            return message;
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    private static (string? Partition, string? Row) ParseContinuation(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return (null, null);
        }

        var space = token.IndexOf(' ', StringComparison.Ordinal);
        return space < 0
            ? (token, null)
            : (NullIfEmpty(token[..space]), NullIfEmpty(token[(space + 1)..]));

        static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
    }

    /// <summary>
    /// Applies up to 100 operations on one partition atomically (all or nothing, in order). Returns the new ETag
    /// of each action (default for deletes). Throws <see cref="TableTransactionFailedException"/> naming the failed
    /// action when the service rejects one.
    /// </summary>
    public async Task<IReadOnlyList<ETag>> SubmitTransactionAsync(IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var list = actions.ToList();
        if (list.Count == 0)
        {
            return [];
        }

        if (list.Count > 100)
        {
            throw new ArgumentException("An entity group transaction holds at most 100 actions.", nameof(actions));
        }

        if (list.Select(a => a.Entity.PartitionKey).Distinct(StringComparer.Ordinal).Skip(1).Any())
        {
            throw new ArgumentException("All actions of an entity group transaction must share one PartitionKey.", nameof(actions));
        }

        if (list.Select(a => a.Entity.RowKey).Distinct(StringComparer.Ordinal).Count() != list.Count)
        {
            throw new ArgumentException("An entity may appear only once in an entity group transaction.", nameof(actions));
        }

        var batch = new TableBatchContent(endpoint, Name, list);
        using var message = CreateMessage(RequestMethod.Post, "/$batch");
        message.Request.Headers.SetValue("Content-Type", batch.ContentType);
        message.Request.Content = RequestContent.Create(batch.Body);
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.Status != 202)
        {
            var error = CreateException(response);
            throw new TableTransactionFailedException(response.Status, error.Message, error.ErrorCode, null);
        }

        return TableBatchContent.ReadResponse(response.Content.ToString(), list.Count);
    }

    private HttpMessage CreateMessage(RequestMethod method, string path)
    {
        var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(endpoint);
        request.Uri.AppendPath(path, escape: false);
        request.Headers.SetValue("x-ms-version", TableClientOptions.ServiceVersion);
        request.Headers.SetValue("DataServiceVersion", "3.0");
        request.Headers.SetValue("Accept", JsonMinimal);
        return message;
    }

    private async Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message.Response;
    }

    internal string EntityPath(string partitionKey, string rowKey)
    {
        ValidateKey(partitionKey, nameof(partitionKey));
        ValidateKey(rowKey, nameof(rowKey));
        return "/" + Name + "(PartitionKey='" + EscapeKey(partitionKey) + "',RowKey='" + EscapeKey(rowKey) + "')";
    }

    internal static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    internal static void ValidateKey(string key, string parameter)
    {
        ArgumentNullException.ThrowIfNull(key, parameter);
        if (key.Length > 512 || key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)))
        {
            throw new ArgumentException("Table keys must be at most 512 characters without / \\ # ? or control characters; encode them with TableKey.Encode.", parameter);
        }
    }

    internal static RequestFailedException CreateException(Response response)
    {
        var (code, text) = TableEntityJson.ReadError(response.Content.ToMemory().Span);
        if (code is null && response.Headers.TryGetValue("x-ms-error-code", out var headerCode))
        {
            code = headerCode;
        }

        var message = $"Table service answered {response.Status} {code}: {FirstLine(text)}";
        return response.Status == 412
            ? new TableConcurrencyException(message, code)
            : new RequestFailedException(response.Status, message, code, null);
    }

    internal static string FirstLine(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? text : text[..newline];
    }
}

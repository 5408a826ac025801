using Azure;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// The rules Azure.Data.Tables does not check and the service (or Azurite, which is laxer than Azure) would enforce
/// late, obscurely or not at all, checked before anything is sent. Every write of ours goes through these methods:
/// <list type="bullet">
/// <item>a transaction holds 1–100 actions of one partition, each row at most once (Azurite accepts a batch that
/// spans partitions, Azure refuses it);</item>
/// <item><see cref="TableTransactionActionType.UpdateMerge"/>, <see cref="TableTransactionActionType.UpdateReplace"/>
/// and <see cref="TableTransactionActionType.Delete"/> (and single updates) carry an explicit ETag — the stored one or
/// <see cref="ETag.All"/>: with the default ETag the SDK sends no <c>If-Match</c>, so an update silently becomes an
/// upsert and resurrects a deleted row;</item>
/// <item>keys are valid (<see cref="TableKeys.IsValidKey"/>) and entities within the service's limits: at most
/// 252 custom properties, strings of at most 32 K characters, binaries of at most 64 KiB and 1 MiB in all by the
/// service's size formula (UTF-16 strings).</item>
/// </list>
/// Rule breaks of our own code throw <see cref="ArgumentException"/>; keys and entities outside the service's limits
/// throw <see cref="RequestFailedException"/> with status 400 and the service's error code, exactly as the service
/// would (so callers treat both the same way: a 4xx caused by the input, never an outage).
/// </summary>
public static class TableGuard
{
    public const int MaxActions = 100;
    public const int MaxEntityBytes = 1024 * 1024;
    public const int MaxProperties = 252;
    public const int MaxStringChars = 32 * 1024;
    public const int MaxBinaryBytes = 64 * 1024;

    /// <summary>Checks and submits an entity group transaction; returns each action's response (ETags). Nothing is sent for no actions.</summary>
    public static async Task<IReadOnlyList<Response>> SubmitCheckedAsync(this TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(actions);
        var list = actions as IReadOnlyList<TableTransactionAction> ?? actions.ToList();
        if (list.Count == 0)
        {
            return [];
        }

        CheckTransaction(list);
        var response = await table.SubmitTransactionAsync(list, cancellationToken).ConfigureAwait(false);
        return response.Value;
    }

    /// <summary>Checks and inserts an entity (409 <c>EntityAlreadyExists</c> when it exists); returns the new ETag.</summary>
    public static async Task<ETag> AddCheckedAsync(this TableClient table, TableEntity entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        CheckEntity(entity);
        var response = await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        return response.Headers.ETag ?? default;
    }

    /// <summary>Checks and inserts or replaces/merges an entity (the mode is always explicit: the SDK's default is merge); returns the new ETag.</summary>
    public static async Task<ETag> UpsertCheckedAsync(this TableClient table, TableEntity entity, TableUpdateMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        CheckEntity(entity);
        var response = await table.UpsertEntityAsync(entity, mode, cancellationToken).ConfigureAwait(false);
        return response.Headers.ETag ?? default;
    }

    /// <summary>
    /// Checks and updates an existing entity if its ETag is still <paramref name="ifMatch"/> (<see cref="ETag.All"/>
    /// for any); 412 on a mismatch, 404 when it does not exist. Returns the new ETag.
    /// </summary>
    public static async Task<ETag> UpdateCheckedAsync(this TableClient table, TableEntity entity, ETag ifMatch, TableUpdateMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        RequireETag(ifMatch, nameof(ifMatch));
        CheckEntity(entity);
        var response = await table.UpdateEntityAsync(entity, ifMatch, mode, cancellationToken).ConfigureAwait(false);
        return response.Headers.ETag ?? default;
    }

    /// <summary>Checks the rules of an entity group transaction (see the class summary).</summary>
    public static void CheckTransaction(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count is 0 or > MaxActions)
        {
            throw new ArgumentException($"An entity group transaction holds 1 to {MaxActions} actions; this one has {actions.Count}.", nameof(actions));
        }

        var partition = actions[0].Entity.PartitionKey;
        var rows = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            if (!string.Equals(action.Entity.PartitionKey, partition, StringComparison.Ordinal))
            {
                throw new ArgumentException("All actions of an entity group transaction must share one PartitionKey.", nameof(actions));
            }

            if (!rows.Add(action.Entity.RowKey ?? string.Empty))
            {
                throw new ArgumentException("An entity may appear only once in an entity group transaction.", nameof(actions));
            }

            if (action.ActionType is TableTransactionActionType.UpdateMerge or TableTransactionActionType.UpdateReplace or TableTransactionActionType.Delete)
            {
                RequireETag(action.ETag, nameof(actions));
            }

            if (action.ActionType == TableTransactionActionType.Delete)
            {
                CheckKeys(action.Entity.PartitionKey, action.Entity.RowKey);
            }
            else
            {
                CheckEntity(action.Entity as TableEntity ?? throw new ArgumentException("Transactions of ours carry TableEntity rows.", nameof(actions)));
            }
        }
    }

    /// <summary>Checks keys and the service's entity limits (see the class summary).</summary>
    public static void CheckEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        CheckKeys(entity.PartitionKey, entity.RowKey);
        var count = 0;
        long size = 4 + (2L * entity.PartitionKey.Length) + 4 + (2L * entity.RowKey.Length) + 4;
        foreach (var (name, value) in entity)
        {
            if (IsSystemProperty(name) || value is null)
            {
                continue;
            }

            count++;
            size += 8 + (2L * name.Length) + value switch
            {
                string s when s.Length > MaxStringChars => throw Refused("PropertyValueTooLarge", $"Property '{name}' has {s.Length} characters; the limit is {MaxStringChars}."),
                byte[] b when b.Length > MaxBinaryBytes => throw Refused("PropertyValueTooLarge", $"Property '{name}' has {b.Length} bytes; the limit is {MaxBinaryBytes}."),
                BinaryData b when b.Length > MaxBinaryBytes => throw Refused("PropertyValueTooLarge", $"Property '{name}' has {b.Length} bytes; the limit is {MaxBinaryBytes}."),
                string s => 4 + (2L * s.Length),
                byte[] b => 4 + b.Length,
                BinaryData b => 4 + b.Length,
                bool => 1,
                int => 4,
                Guid => 16,
                _ => 8,
            };
        }

        if (count > MaxProperties)
        {
            throw Refused("TooManyProperties", $"An entity may have at most {MaxProperties} custom properties; this one has {count}.");
        }

        if (size > MaxEntityBytes)
        {
            throw Refused("EntityTooLarge", $"The entity is about {size} bytes; the limit is {MaxEntityBytes}.");
        }
    }

    /// <summary>Refuses keys the service would refuse (too long, forbidden characters) with the service's 400.</summary>
    public static void CheckKeys(string? partitionKey, string? rowKey)
    {
        if (!TableKeys.IsValidKey(partitionKey) || !TableKeys.IsValidKey(rowKey))
        {
            throw Refused("OutOfRangeInput", $"Keys must be at most {TableKeys.MaxKeyLength} characters without / \\ # ? or control characters; derive them with TableKeys.ForValue.");
        }
    }

    private static void RequireETag(ETag etag, string parameter)
    {
        if (etag == default)
        {
            throw new ArgumentException("Updates and deletes need an explicit ETag (the stored one or ETag.All): the default sends no If-Match and silently upserts.", parameter);
        }
    }

    private static bool IsSystemProperty(string name) =>
        name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag";

    private static RequestFailedException Refused(string code, string message) => new(400, message, code, null);
}

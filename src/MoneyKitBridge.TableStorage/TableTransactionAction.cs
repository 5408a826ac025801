using Azure;

namespace MoneyKitBridge.TableStorage;

/// <summary>What one operation of an entity group transaction does.</summary>
public enum TableTransactionActionType
{
    /// <summary>Insert; fails if the entity exists.</summary>
    Add,

    /// <summary>Merge into an existing entity (If-Match: ETag or *).</summary>
    UpdateMerge,

    /// <summary>Replace an existing entity (If-Match: ETag or *).</summary>
    UpdateReplace,

    /// <summary>Delete an existing entity (If-Match: ETag or *).</summary>
    Delete,

    /// <summary>Insert or merge.</summary>
    UpsertMerge,

    /// <summary>Insert or replace.</summary>
    UpsertReplace,
}

/// <summary>One operation of an entity group transaction.</summary>
/// <param name="ActionType">What to do.</param>
/// <param name="Entity">The entity (for deletes only keys matter).</param>
/// <param name="ETag">For update/delete: the expected ETag; default means <c>*</c>.</param>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, ETag ETag = default);

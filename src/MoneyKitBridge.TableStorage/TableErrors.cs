using Azure;

namespace MoneyKitBridge.TableStorage;

/// <summary>
/// An <c>If-Match</c> precondition failed (HTTP 412 <c>UpdateConditionNotSatisfied</c>): somebody else changed
/// the entity since it was read. Re-read and decide.
/// </summary>
public sealed class TableConcurrencyException : RequestFailedException
{
    /// <summary>Creates the exception.</summary>
    public TableConcurrencyException(string message, string? errorCode)
        : base(412, message, errorCode, null)
    {
    }
}

/// <summary>An entity group transaction failed; nothing of it was applied.</summary>
public sealed class TableTransactionFailedException : RequestFailedException
{
    /// <summary>Creates the exception.</summary>
    public TableTransactionFailedException(int status, string message, string? errorCode, int? failedActionIndex)
        : base(status, message, errorCode, null)
    {
        FailedActionIndex = failedActionIndex;
    }

    /// <summary>Zero-based index of the action that failed, when the service said which.</summary>
    public int? FailedActionIndex { get; }
}

namespace MoneyKitBridge.MoneyKit;

/// <summary>
/// A MoneyKit request failed: MoneyKit answered with an error, its answer could not be read, or no answer came
/// (then <see cref="Status"/> is 0 and <see cref="Exception.InnerException"/> holds the cause).
/// The message names the method, path, status, error code and request id; never credentials or tokens.
/// </summary>
public sealed class MoneyKitException : Exception
{
    /// <summary>Creates an exception without MoneyKit details (status 0).</summary>
    public MoneyKitException()
    {
    }

    /// <summary>Creates an exception without MoneyKit details (status 0).</summary>
    public MoneyKitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception without MoneyKit details (status 0).</summary>
    public MoneyKitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>HTTP status MoneyKit answered with; 0 when no answer was received.</summary>
    public int Status { get; init; }

    /// <summary>MoneyKit's <c>error_code</c>, e.g. <c>link_error.not_found</c>; null when the body had none.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>MoneyKit's <c>error_message</c>.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>MoneyKit's <c>link_error_code</c> (on 422 <c>link_error.bad_state</c>), e.g. <c>auth_expired</c>.</summary>
    public string? LinkErrorCode { get; init; }

    /// <summary>The response's <c>X-Request-Id</c>, to quote to MoneyKit support.</summary>
    public string? RequestId { get; init; }

    /// <summary>How long MoneyKit asked us to wait (<c>Retry-After</c>, seconds or HTTP date), when it said so.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

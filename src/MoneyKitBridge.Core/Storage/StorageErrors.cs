using Azure;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// Tells the two kinds of storage failure apart. A refusal caused by what was sent (400: a key or entity outside
/// the service's limits, a malformed value; 413: request too large) fails the same way on every retry, so it is
/// answered as bad input, never as an outage. Everything else — 5xx, timeouts (408), throttling (429), connection
/// failures (status 0 or <see cref="HttpRequestException"/>), a missing table or authorization (403/404), contention
/// that did not settle — is an outage: worth retrying later.
/// </summary>
public static class StorageErrors
{
    /// <summary>True when the service (or <see cref="TableGuard"/>) refused the input itself: retrying it can never succeed.</summary>
    public static bool IsCausedByInput(Exception exception) => exception is RequestFailedException { Status: 400 or 413 };

    /// <summary>
    /// True for a storage outage (see the class summary); false for input refusals and for a cancellation the
    /// caller asked for with <paramref name="cancellationToken"/>.
    /// </summary>
    public static bool IsOutage(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException e => !IsCausedByInput(e),
        InvalidOperationException or HttpRequestException or TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}

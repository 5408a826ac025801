using System.Runtime.CompilerServices;
using Azure;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// Reading every page of a query with the next page already requested while the caller consumes the current one, so
/// the service works on page n+1 while page n is mapped (a partition load of thousands of rows is a few pages).
/// </summary>
public static class ReadAhead
{
    /// <summary>The pages of <paramref name="pageable"/>, each next one requested as soon as the previous one arrived.</summary>
    public static async IAsyncEnumerable<Page<T>> PagesWithReadAheadAsync<T>(this AsyncPageable<T> pageable, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(pageable);
        var pages = pageable.AsPages().GetAsyncEnumerator(cancellationToken);
        var next = pages.MoveNextAsync().AsTask();
        try
        {
            while (await next.ConfigureAwait(false))
            {
                var page = pages.Current;
                next = pages.MoveNextAsync().AsTask();
                yield return page;
            }
        }
        finally
        {
            if (!next.IsCompleted)
            {
                // The caller stopped (or failed) with a page still in flight: let it end before the enumerator is disposed.
                try
                {
                    await next.ConfigureAwait(false);
                }
                catch (Exception e) when (e is RequestFailedException or OperationCanceledException)
                {
                }
            }

            await pages.DisposeAsync().ConfigureAwait(false);
        }
    }
}

namespace MoneyKitBridge.MoneyKit;

/// <summary>
/// Holds the current bearer token and renews it ahead of its expiry in a single flight: concurrent callers that
/// need a token while one is being fetched all wait for that one request.
/// </summary>
internal sealed class MoneyKitAccessTokenCache(
    TimeProvider time,
    TimeSpan refreshAhead,
    Func<bool, Task<MoneyKitAccessToken>> fetch)
{
    private readonly Lock gate = new();
    private MoneyKitAccessToken? current;
    private DateTimeOffset refreshAt;
    private Task<MoneyKitAccessToken>? inflight;
    private bool reloadCredentials;

    /// <summary>Returns a token valid beyond the refresh margin, fetching one (once for all callers) if needed.</summary>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<MoneyKitAccessToken>? owned = null;
        Task<MoneyKitAccessToken> pending;
        bool reload;
        lock (gate)
        {
            if (current is { } token && time.GetUtcNow() < refreshAt)
            {
                return token.Value;
            }

            if (inflight is null)
            {
                owned = new TaskCompletionSource<MoneyKitAccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
                inflight = owned.Task;
            }

            pending = inflight;
            reload = reloadCredentials;
            if (owned is not null)
            {
                reloadCredentials = false;
            }
        }

        if (owned is not null)
        {
            // Detached from the caller's token: other callers may be waiting for this same fetch.
            _ = RunFetchAsync(owned, reload);
        }

        var result = await pending.WaitAsync(cancellationToken);
        return result.Value;
    }

    /// <summary>
    /// Forgets <paramref name="rejectedToken"/> if it is still the current token (so concurrent rejections of the
    /// same token cause one renewal); with <paramref name="reload"/> the next fetch re-reads the credentials.
    /// </summary>
    public void Reject(string rejectedToken, bool reload)
    {
        lock (gate)
        {
            if (current?.Value == rejectedToken)
            {
                current = null;
                reloadCredentials |= reload;
            }
        }
    }

    private async Task RunFetchAsync(TaskCompletionSource<MoneyKitAccessToken> owned, bool reload)
    {
        try
        {
            var token = await fetch(reload);
            var lifetime = token.Lifetime > TimeSpan.Zero ? token.Lifetime : TimeSpan.Zero;
            var margin = refreshAhead < lifetime / 2 ? refreshAhead : lifetime / 2;
            lock (gate)
            {
                current = token;
                refreshAt = token.IssuedAt + lifetime - margin;
                inflight = null;
            }

            owned.SetResult(token);
        }
#pragma warning disable CA1031 // Every failure is handed to the waiting callers.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (gate)
            {
                inflight = null;
            }

            owned.SetException(ex);
        }
    }
}

/// <summary>A bearer token, when it was obtained and for how long MoneyKit said it is valid.</summary>
internal sealed record MoneyKitAccessToken(string Value, DateTimeOffset IssuedAt, TimeSpan Lifetime)
{
    public override string ToString() => $"MoneyKitAccessToken {{ IssuedAt = {IssuedAt:O}, Lifetime = {Lifetime} }}";
}

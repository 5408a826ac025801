using System.Text.Json;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Institutions;

/// <summary>
/// MoneyKit's institution list, served from a copy in table <c>institutions</c> that every instance shares: reads never
/// call MoneyKit. The first read of an empty store fetches the list; a copy older than
/// <see cref="InstitutionCacheOptions.Ttl"/> is still served while one instance (the one that wins the ETag race on the
/// catalog row) fetches a new one in the background. When MoneyKit is down the stale copy stays in service, the failure
/// is logged and the next attempt waits <see cref="InstitutionCacheOptions.RetryAfter"/>.
/// </summary>
public sealed class InstitutionCatalog : IDisposable
{
    private readonly InstitutionStore store;
    private readonly MoneyKitClient moneyKit;
    private readonly InstitutionCacheOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<InstitutionCatalog> logger;
    private readonly SemaphoreSlim firstFill = new(1, 1);
    private readonly Lock gate = new();
    private LocalCopy? local;
    private Task revalidation = Task.CompletedTask;

    public InstitutionCatalog(BridgeTables tables, MoneyKitClient moneyKit, IOptions<InstitutionCacheOptions> options, TimeProvider time, ILogger<InstitutionCatalog> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        store = new InstitutionStore(tables);
        this.moneyKit = moneyKit;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>The current copy (possibly stale, see the class summary).</summary>
    /// <exception cref="MoneyKitException">No copy exists yet and MoneyKit could not be reached.</exception>
    public async Task<InstitutionList> GetAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var copy = local;
        if (copy is not null && now - copy.CheckedAt < options.LocalMaxAge)
        {
            return copy.List;
        }

        var catalog = await store.ReadCatalogAsync(cancellationToken);
        if (catalog?.Generation is null || catalog.FetchedAt is null)
        {
            return await FillFirstAsync(cancellationToken);
        }

        var list = copy?.List.Generation == catalog.Generation ? copy.List : await LoadAsync(catalog.Generation, catalog.FetchedAt.Value, cancellationToken);
        local = new LocalCopy(list, now);
        if (now - catalog.FetchedAt.Value >= options.Ttl && (catalog.NextAttemptAt is null || now >= catalog.NextAttemptAt))
        {
            StartRevalidation(catalog);
        }

        return list;
    }

    /// <summary>Completes when the background revalidation started so far has ended (tests, shutdown).</summary>
    public Task WhenIdleAsync()
    {
        lock (gate)
        {
            return revalidation;
        }
    }

    public void Dispose() => firstFill.Dispose();

    private void StartRevalidation(InstitutionCatalogRow catalog)
    {
        lock (gate)
        {
            if (revalidation.IsCompleted)
            {
                revalidation = RevalidateAsync(catalog);
            }
        }
    }

    private async Task<InstitutionList> FillFirstAsync(CancellationToken cancellationToken)
    {
        await firstFill.WaitAsync(cancellationToken);
        try
        {
            var catalog = await store.ReadCatalogAsync(cancellationToken);
            if (catalog?.Generation is not null && catalog.FetchedAt is not null)
            {
                var existing = await LoadAsync(catalog.Generation, catalog.FetchedAt.Value, cancellationToken);
                local = new LocalCopy(existing, time.GetUtcNow());
                return existing;
            }

            InstitutionList fetched;
            try
            {
                fetched = await FetchAndStoreAsync(cancellationToken);
            }
            catch (MoneyKitException e)
            {
                InstitutionLog.NoCopy(logger, Reason(e));
                throw;
            }

            var row = new InstitutionCatalogRow(fetched.Generation, fetched.FetchedAt, fetched.Institutions.Count, null, null);
            if (await store.TryWriteCatalogAsync(row, catalog?.ETag ?? default, cancellationToken) is null)
            {
                // Another instance stored its copy first: use that one.
                await store.DeleteGenerationAsync(fetched.Generation, cancellationToken);
                var winner = await store.ReadCatalogAsync(cancellationToken);
                fetched = await LoadAsync(winner!.Generation!, winner.FetchedAt!.Value, cancellationToken);
            }

            local = new LocalCopy(fetched, time.GetUtcNow());
            return fetched;
        }
        finally
        {
            firstFill.Release();
        }
    }

    private async Task RevalidateAsync(InstitutionCatalogRow catalog)
    {
        await Task.Yield();
        var now = time.GetUtcNow();
        var nextAttempt = now + options.RetryAfter;
        ETag claimed;
        try
        {
            // The claim: whoever moves NextAttemptAt first revalidates; the others keep serving the copy.
            if (await store.TryWriteCatalogAsync(catalog with { NextAttemptAt = nextAttempt }, catalog.ETag) is not { } etag)
            {
                return;
            }

            claimed = etag;
        }
        catch (RequestFailedException e)
        {
            InstitutionLog.ServingStale(logger, "storage " + e.Status, catalog.FetchedAt!.Value, nextAttempt);
            return;
        }

        try
        {
            var fresh = await FetchAndStoreAsync(CancellationToken.None);
            if (await store.TryWriteCatalogAsync(new InstitutionCatalogRow(fresh.Generation, fresh.FetchedAt, fresh.Institutions.Count, null, null), claimed) is null)
            {
                await store.DeleteGenerationAsync(fresh.Generation);
                return;
            }

            local = new LocalCopy(fresh, time.GetUtcNow());
            await store.DeleteGenerationAsync(catalog.Generation!);
        }
        catch (Exception e) when (e is MoneyKitException or RequestFailedException)
        {
            var reason = e is MoneyKitException m ? Reason(m) : "storage " + ((RequestFailedException)e).Status;
            InstitutionLog.ServingStale(logger, reason, catalog.FetchedAt!.Value, nextAttempt);
            try
            {
                await store.TryWriteCatalogAsync(catalog with { NextAttemptAt = nextAttempt, LastError = reason }, claimed);
            }
            catch (RequestFailedException)
            {
                // The claim already holds the next attempt back; the reason is only informative.
            }
        }
    }

    private static string Reason(MoneyKitException e) =>
        e.Status == 0 ? "no answer" : $"{e.Status} {e.ErrorCode}".TrimEnd();

    private async Task<InstitutionList> LoadAsync(string generation, DateTimeOffset fetchedAt, CancellationToken cancellationToken) =>
        new(generation, fetchedAt, await store.LoadAsync(generation, cancellationToken));

    /// <summary>Pages through MoneyKit's list and writes it whole into a new generation partition.</summary>
    private async Task<InstitutionList> FetchAndStoreAsync(CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, InstitutionRow>(StringComparer.Ordinal);
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await moneyKit.GetInstitutionsAsync(cursor, options.FetchPageSize, cancellationToken);
            pages++;
            foreach (var institution in page.Institutions)
            {
                if (ToRow(institution) is { } row)
                {
                    rows[row.InstitutionId] = row;
                }
            }

            cursor = page.Cursors?.Next is { Length: > 0 } next && next != cursor && page.Institutions.Count > 0 ? next : null;
        }
        while (cursor is not null && pages < options.MaxPages);

        var fetchedAt = time.GetUtcNow();
        var generation = InstitutionKeys.Generation(fetchedAt);
        await store.WriteGenerationAsync(generation, rows.Values, cancellationToken);

        InstitutionLog.Fetched(logger, rows.Count, pages, generation);
        return new InstitutionList(generation, fetchedAt, rows.Values);
    }

    private static InstitutionRow? ToRow(JsonElement institution)
    {
        if (institution.ValueKind != JsonValueKind.Object
            || !institution.TryGetProperty("institution_id", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString()))
        {
            return null;
        }

        var name = institution.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : string.Empty;
        var featured = institution.TryGetProperty("is_featured", out var f) && f.ValueKind == JsonValueKind.True;
        return new InstitutionRow(id.GetString()!, name, featured, institution.GetRawText());
    }

    private sealed record LocalCopy(InstitutionList List, DateTimeOffset CheckedAt);
}

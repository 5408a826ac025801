using Azure;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// The reconciliation job's one progress row (table <c>linkindex</c>, partition <see cref="Partition"/>, apart from the
/// index rows every planner query filters on): which cycle runs, where its walk stands (MoneyKit's listing cursor, then
/// the last index row verified) and the lease of the run that holds it. Every write is conditional on the row's ETag,
/// so one run at a time moves the walk, whichever instance it runs on.
/// </summary>
public sealed record ReconcileProgress
{
    public const string Partition = "reconcile";
    public const string Row = "progress";

    /// <summary>Where the cycle stands; see <see cref="ReconcilePhase"/>.</summary>
    public string Phase { get; init; } = ReconcilePhase.Idle;

    /// <summary>Counts cycles (a full walk of MoneyKit's list and of the bridge's links); 0 before the first.</summary>
    public long Cycle { get; init; }

    /// <summary>MoneyKit's <c>next_cursor</c> of the last listing page handled (null: the walk starts at the first page).</summary>
    public string? ListingCursor { get; init; }

    /// <summary>The <c>linkindex</c> row key of the last link verified (null: the walk starts at the first link).</summary>
    public string? VerifyAfter { get; init; }

    public DateTimeOffset? CycleStartedAt { get; init; }

    public DateTimeOffset? CycleCompletedAt { get; init; }

    /// <summary>The run holding the walk; null when none does.</summary>
    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseUntil { get; init; }

    public ETag ETag { get; init; }

    /// <summary>True when a run other than <paramref name="runId"/> holds an unexpired lease at <paramref name="now"/>.</summary>
    public bool IsLeasedToOther(string runId, DateTimeOffset now) =>
        LeaseOwner is { } owner && owner != runId && LeaseUntil is { } until && until > now;

    public TableEntity ToEntity() =>
        new TableEntity(Partition, Row)
            .Put(nameof(Phase), Phase)
            .Put(nameof(Cycle), Cycle)
            .Put(nameof(ListingCursor), ListingCursor)
            .Put(nameof(VerifyAfter), VerifyAfter)
            .Put(nameof(CycleStartedAt), CycleStartedAt)
            .Put(nameof(CycleCompletedAt), CycleCompletedAt)
            .Put(nameof(LeaseOwner), LeaseOwner)
            .Put(nameof(LeaseUntil), LeaseUntil);

    public static ReconcileProgress FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new()
        {
            Phase = entity.GetString(nameof(Phase)) ?? ReconcilePhase.Idle,
            Cycle = entity.GetInt64(nameof(Cycle)) ?? 0,
            ListingCursor = entity.GetString(nameof(ListingCursor)),
            VerifyAfter = entity.GetString(nameof(VerifyAfter)),
            CycleStartedAt = entity.GetDateTimeOffset(nameof(CycleStartedAt)),
            CycleCompletedAt = entity.GetDateTimeOffset(nameof(CycleCompletedAt)),
            LeaseOwner = entity.GetString(nameof(LeaseOwner)),
            LeaseUntil = entity.GetDateTimeOffset(nameof(LeaseUntil)),
            ETag = entity.ETag,
        };
    }

    /// <summary>The stored row, or a new idle one (created if absent; a concurrent creation is read back).</summary>
    public static async Task<ReconcileProgress> GetOrCreateAsync(BridgeTables tables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var response = await tables.LinkIndex.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
            if (response.HasValue)
            {
                return FromEntity(response.Value!);
            }

            var fresh = new ReconcileProgress();
            try
            {
                return fresh with { ETag = await tables.LinkIndex.AddCheckedAsync(fresh.ToEntity(), cancellationToken) };
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Another run created it first: read theirs.
            }
        }

        throw new InvalidOperationException("The reconciliation progress row could not be read or created.");
    }

    /// <summary>Replaces the row if it is unchanged since <paramref name="basis"/> was read; the stored row, or null when another run changed it.</summary>
    public static async Task<ReconcileProgress?> TryReplaceAsync(BridgeTables tables, ReconcileProgress next, ReconcileProgress basis, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(basis);
        try
        {
            var etag = await tables.LinkIndex.UpdateCheckedAsync(next.ToEntity(), basis.ETag, TableUpdateMode.Replace, cancellationToken);
            return next with { ETag = etag };
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return null;
        }
    }
}

/// <summary>Values of <see cref="ReconcileProgress.Phase"/>.</summary>
public static class ReconcilePhase
{
    /// <summary>No cycle is under way.</summary>
    public const string Idle = "idle";

    /// <summary>Walking MoneyKit's <c>GET /links</c>: links the bridge does not know are adopted or reported.</summary>
    public const string Listing = "listing";

    /// <summary>Walking the bridge's links: each is checked with <c>GET /links/{id}</c> (gone → tombstone, state differs → corrected).</summary>
    public const string Verifying = "verifying";
}

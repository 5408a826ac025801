using Azure;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// A webhook event's row in its link's <c>linkstates</c> partition, keyed by its idempotency key: the deduplication
/// record (a second delivery cannot insert it again) and the link's recent-event history.
/// </summary>
public sealed record WebhookEventRow(
    string LinkId,
    string IdempotencyKey,
    string Event,
    DateTimeOffset WebhookTimestamp,
    int WebhookMajorVersion,
    string DeliveryToken,
    int Attempt,
    string Outcome,
    DateTimeOffset ReceivedAt,
    string? State = null,
    string? ErrorCode = null,
    string? Product = null)
{
    /// <summary>The column the purge filters on.</summary>
    public const string ReceivedAtColumn = nameof(ReceivedAt);

    /// <summary>A column every event row has (for existence checks).</summary>
    public const string OutcomeColumn = nameof(Outcome);

    /// <summary>Filter of every event row (all links) received before <paramref name="cutoff"/>.</summary>
    public static string ExpiredFilter(DateTimeOffset cutoff) =>
        TableKeys.RowKeyPrefixFilter(LinkRows.EventPrefix) + " and " + TableClient.CreateQueryFilter($"ReceivedAt lt {cutoff}");

    public TableEntity ToEntity() =>
        new TableEntity(LinkRows.Partition(LinkId), LinkRows.Event(IdempotencyKey))
            .Put(nameof(Event), Event)
            .Put(nameof(LinkId), LinkId)
            .Put(nameof(WebhookTimestamp), WebhookTimestamp)
            .Put(nameof(WebhookMajorVersion), WebhookMajorVersion)
            .Put(nameof(IdempotencyKey), IdempotencyKey)
            .Put(nameof(DeliveryToken), DeliveryToken)
            .Put(nameof(Attempt), Attempt)
            .Put(nameof(Outcome), Outcome)
            .Put(nameof(ReceivedAt), ReceivedAt)
            .Put(nameof(State), State)
            .Put(nameof(ErrorCode), ErrorCode)
            .Put(nameof(Product), Product);

    public static WebhookEventRow FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new(
            entity.GetString(nameof(LinkId)) ?? string.Empty,
            entity.GetString(nameof(IdempotencyKey)) ?? string.Empty,
            entity.GetString(nameof(Event)) ?? string.Empty,
            entity.GetDateTimeOffset(nameof(WebhookTimestamp)) ?? default,
            entity.GetInt32(nameof(WebhookMajorVersion)) ?? 0,
            entity.GetString(nameof(DeliveryToken)) ?? string.Empty,
            entity.GetInt32(nameof(Attempt)) ?? 0,
            entity.GetString(nameof(Outcome)) ?? string.Empty,
            entity.GetDateTimeOffset(nameof(ReceivedAt)) ?? default,
            entity.GetString(nameof(State)),
            entity.GetString(nameof(ErrorCode)),
            entity.GetString(nameof(Product)));
    }
}

/// <summary>The refresh state of one product of a link (its <c>linkstates</c> partition), from <c>link.product_refresh</c> webhooks; newest wins.</summary>
public sealed record ProductRefreshRow(
    string LinkId,
    string Product,
    string? State,
    DateTimeOffset StateChangedAt,
    string? ErrorMessage,
    DateTimeOffset WebhookTimestamp,
    string IdempotencyKey)
{
    public ETag ETag { get; init; }

    public TableEntity ToEntity() =>
        new TableEntity(LinkRows.Partition(LinkId), LinkRows.Product(Product))
            .Put(nameof(Product), Product)
            .Put(nameof(State), State)
            .Put(nameof(StateChangedAt), StateChangedAt)
            .Put(nameof(ErrorMessage), ErrorMessage)
            .Put(nameof(WebhookTimestamp), WebhookTimestamp)
            .Put(nameof(IdempotencyKey), IdempotencyKey);

    public static ProductRefreshRow FromEntity(string linkId, TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new(
            linkId,
            entity.GetString(nameof(Product)) ?? string.Empty,
            entity.GetString(nameof(State)),
            entity.GetDateTimeOffset(nameof(StateChangedAt)) ?? default,
            entity.GetString(nameof(ErrorMessage)),
            entity.GetDateTimeOffset(nameof(WebhookTimestamp)) ?? default,
            entity.GetString(nameof(IdempotencyKey)) ?? string.Empty)
        {
            ETag = entity.ETag,
        };
    }
}

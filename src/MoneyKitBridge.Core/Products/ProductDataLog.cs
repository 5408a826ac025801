using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.Core.Products;

/// <summary>What fetching sensitive product data logs: link id, product, counts and MoneyKit's status — never the data.</summary>
internal static partial class ProductDataLog
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Stored {Product} of link {LinkId}: {Accounts} accounts")]
    public static partial void Stored(ILogger logger, string product, string linkId, int accounts);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Could not fetch {Product} of link {LinkId}: MoneyKit answered {Status} {ErrorCode} (request {RequestId}); the next sync tries again")]
    public static partial void NotFetched(ILogger logger, string product, string linkId, int status, string? errorCode, string? requestId);
}

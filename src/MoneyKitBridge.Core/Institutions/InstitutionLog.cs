using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.Core.Institutions;

/// <summary>What the institution cache logs.</summary>
internal static partial class InstitutionLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Institution list fetched from MoneyKit: {Count} institutions in {Pages} pages (generation {Generation})")]
    public static partial void Fetched(ILogger logger, int count, int pages, string generation);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Institution list could not be revalidated ({Reason}); serving the copy fetched at {FetchedAt}, next attempt after {NextAttemptAt}")]
    public static partial void ServingStale(ILogger logger, string reason, DateTimeOffset fetchedAt, DateTimeOffset nextAttemptAt);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Institution list could not be fetched and there is no copy yet ({Reason})")]
    public static partial void NoCopy(ILogger logger, string reason);
}

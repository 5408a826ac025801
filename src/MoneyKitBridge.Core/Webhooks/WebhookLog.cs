namespace MoneyKitBridge.Core.Webhooks;

/// <summary>What of a delivery may be logged or stored: the delivery token (sanitised) and outcome names.</summary>
internal static class WebhookLog
{
    /// <summary>The <c>MoneyKit-Delivery-Token</c> header as safe to log: ASCII letters, digits, '-' and '_' only, at most 100 characters.</summary>
    public static string SafeToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return "(none)";
        }

        if (token.Length > 100)
        {
            return "(invalid)";
        }

        foreach (var c in token)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return "(invalid)";
            }
        }

        return token;
    }

    /// <summary>The <c>MoneyKit-Delivery-Attempt</c> header as a number (null when absent or not a small positive integer).</summary>
    public static int? ParseAttempt(string? attempt) =>
        int.TryParse(attempt, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is > 0 and < 10_000 ? value : null;

    public static string Name(WebhookOutcome outcome) => outcome switch
    {
        WebhookOutcome.Applied => "applied",
        WebhookOutcome.Stale => "stale",
        WebhookOutcome.Duplicate => "duplicate",
        WebhookOutcome.UnknownLink => "unknown_link",
        WebhookOutcome.LinkDeleted => "link_deleted",
        WebhookOutcome.UnknownEvent => "unknown_event",
        WebhookOutcome.UnsupportedVersion => "unsupported_version",
        WebhookOutcome.UnknownState => "unknown_state",
        WebhookOutcome.Unstorable => "unstorable",
        _ => "failed",
    };
}

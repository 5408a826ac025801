using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace MoneyKitBridge.Functions.Tests.Scale;

/// <summary>One MoneyKit API call from the sandbox's request log (<c>GET /sandbox/requests</c>), times on the sandbox's clock.</summary>
public sealed record SandboxCall(
    string Method, string Path, string? Query, int Status, DateTime ReceivedAt, DateTime AnsweredAt, string? Fault,
    string? NextCursor, bool? HasMore, IReadOnlyList<string> Products)
{
    /// <summary>The <c>cursor</c> query parameter (null when absent or empty: the feed's start).</summary>
    public string? Cursor =>
        Query is { Length: > 0 } && QueryHelpers.ParseQuery(Query).TryGetValue("cursor", out var cursor) && cursor.ToString() is { Length: > 0 } value ? value : null;

    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{Method} {Path}{Query} → {Status}{(Fault is null ? "" : " (" + Fault + ")")} [{ReceivedAt:HH:mm:ss.fff}–{AnsweredAt:HH:mm:ss.fff}] next={NextCursor} has_more={HasMore}");
}

/// <summary>
/// The sandbox's request log read as evidence: how each link's sync feed was walked and how refreshes were spent.
/// </summary>
public sealed class SandboxCallLog(IReadOnlyList<SandboxCall> calls)
{
    public IReadOnlyList<SandboxCall> Calls { get; } = calls;

    public static SandboxCallLog Parse(string json)
    {
        var calls = JsonNode.Parse(json)!.AsArray().Select(e => new SandboxCall(
            e!["method"]!.GetValue<string>(),
            e["path"]!.GetValue<string>(),
            e["query"]?.GetValue<string>(),
            e["status"]!.GetValue<int>(),
            e["received_at"]!.GetValue<DateTime>(),
            e["at"]!.GetValue<DateTime>(),
            e["fault"]?.GetValue<string>(),
            e["next_cursor"]?.GetValue<string>(),
            e["has_more"]?.GetValue<bool>(),
            e["products"] is JsonArray products ? [.. products.Select(p => p!.GetValue<string>())] : [])).ToList();
        return new SandboxCallLog(calls);
    }

    /// <summary>Calls to <c>GET /links/{id}/transactions/sync</c> of <paramref name="linkId"/>, in the order received.</summary>
    public List<SandboxCall> FeedCalls(string linkId) =>
        [.. Calls.Where(c => c.Method == "GET" && c.Path == $"/links/{linkId}/transactions/sync").OrderBy(c => c.ReceivedAt)];

    /// <summary>
    /// Where two walks of one link's feed overlapped. One walker at a time leaves one chain: each call starts where
    /// the link's previous call left the feed — at the cursor it answered (<c>next_cursor</c>, whether or not it had
    /// more), or at its own cursor when it failed (a retry, or the next walk resuming from the last committed page) —
    /// and only after that call was answered. A second walker shows up as a call from elsewhere in the chain (it
    /// started from a cursor it read before the first walker moved on) or as two calls in flight at once.
    /// </summary>
    public List<string> OverlappingWalks(string linkId)
    {
        var problems = new List<string>();
        var feed = FeedCalls(linkId);
        for (var i = 1; i < feed.Count; i++)
        {
            var previous = feed[i - 1];
            var call = feed[i];
            var expected = previous.Status == 200 ? previous.NextCursor : previous.Cursor;
            if (call.ReceivedAt < previous.AnsweredAt)
            {
                problems.Add($"link {linkId}: two sync calls in flight at once:\n  {previous.Describe()}\n  {call.Describe()}");
            }
            else if (!string.Equals(call.Cursor, expected, StringComparison.Ordinal))
            {
                problems.Add($"link {linkId}: a sync call left the chain (expected cursor {expected ?? "(start)"}):\n  {previous.Describe()}\n  {call.Describe()}");
            }
        }

        return problems;
    }

    /// <summary>Calls to <c>POST /links/{id}/products</c> of <paramref name="linkId"/> that reached MoneyKit's API (no injected fault answered them).</summary>
    public List<SandboxCall> RefreshCalls(string linkId) =>
        [.. Calls.Where(c => c.Method == "POST" && c.Path == $"/links/{linkId}/products" && c.Fault is null).OrderBy(c => c.ReceivedAt)];

    /// <summary>
    /// Refreshes spent twice: a call for a product MoneyKit had accepted a refresh of within its limit (the sandbox
    /// answered 429 itself), or a second accepted refresh of one product within the limit.
    /// </summary>
    public List<string> RefreshesSpentTwice(string linkId, TimeSpan limit)
    {
        var problems = new List<string>();
        var accepted = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var call in RefreshCalls(linkId))
        {
            if (call.Status == 429)
            {
                problems.Add($"link {linkId}: MoneyKit refused a refresh of {string.Join(',', call.Products)} inside its limit: {call.Describe()}");
                continue;
            }

            if (call.Status != 202)
            {
                continue;
            }

            foreach (var product in call.Products)
            {
                if (accepted.TryGetValue(product, out var at) && call.ReceivedAt - at < limit)
                {
                    problems.Add($"link {linkId}: two accepted refreshes of {product} within {limit}: {call.Describe()}");
                }

                accepted[product] = call.ReceivedAt;
            }
        }

        return problems;
    }
}

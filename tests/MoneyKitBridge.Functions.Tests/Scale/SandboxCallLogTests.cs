namespace MoneyKitBridge.Functions.Tests.Scale;

/// <summary>The evidence <see cref="MultiInstanceTests"/> relies on: the checks find what they are meant to find.</summary>
public sealed class SandboxCallLogTests
{
    private const string Link = "mk_1";
    private static readonly DateTime T0 = new(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);

    private static SandboxCall Page(int at, string? cursor, string next, bool hasMore, int status = 200, int took = 10) =>
        new("GET", $"/links/{Link}/transactions/sync", cursor is null ? "?size=20" : $"?size=20&cursor={cursor}", status,
            T0.AddMilliseconds(at), T0.AddMilliseconds(at + took), status == 200 ? null : "fault_1", status == 200 ? next : null, status == 200 ? hasMore : null, []);

    private static SandboxCall Refresh(int atSeconds, int status, params string[] products) =>
        new("POST", $"/links/{Link}/products", null, status, T0.AddSeconds(atSeconds), T0.AddSeconds(atSeconds), null, null, null, products);

    [Fact]
    public void One_walker_at_a_time_with_retries_and_resumed_walks_is_one_chain()
    {
        var log = new SandboxCallLog(
        [
            Page(0, null, "c1", hasMore: true),
            Page(20, "c1", "c2", hasMore: true),
            Page(40, "c2", "", hasMore: false, status: 503), // failed: retried at the same cursor
            Page(60, "c2", "c3", hasMore: false),
            Page(100, "c3", "c3", hasMore: false), // a later walk with nothing new
            Page(120, "c3", "c4", hasMore: false),
        ]);

        Assert.Empty(log.OverlappingWalks(Link));
    }

    [Fact]
    public void A_second_walker_starting_from_the_cursor_the_first_already_left_is_found()
    {
        var log = new SandboxCallLog(
        [
            Page(0, "c1", "c2", hasMore: true),
            Page(20, "c1", "c2", hasMore: true), // read the stored cursor before the first walker committed
            Page(40, "c2", "c3", hasMore: false),
            Page(60, "c2", "c3", hasMore: false),
        ]);

        var problems = log.OverlappingWalks(Link);

        Assert.Equal(2, problems.Count);
        Assert.All(problems, p => Assert.Contains("left the chain", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Two_calls_in_flight_at_once_are_found()
    {
        var log = new SandboxCallLog([Page(0, "c1", "c2", hasMore: true, took: 50), Page(30, "c2", "c3", hasMore: false)]);

        Assert.Contains("in flight at once", Assert.Single(log.OverlappingWalks(Link)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_refresh_MoneyKit_refused_inside_its_limit_or_accepted_twice_is_spent_twice()
    {
        var refused = new SandboxCallLog([Refresh(0, 202, "transactions"), Refresh(1, 429, "transactions")]);
        var twice = new SandboxCallLog([Refresh(0, 202, "transactions", "accounts"), Refresh(600, 202, "accounts")]);
        var apart = new SandboxCallLog([Refresh(0, 202, "transactions"), Refresh(3600, 202, "transactions"), Refresh(3601, 202, "accounts")]);
        var faulted = new SandboxCallLog([Refresh(0, 503, "transactions") with { Fault = "fault_1" }, Refresh(1, 202, "transactions")]);

        Assert.Single(refused.RefreshesSpentTwice(Link, TimeSpan.FromHours(1)));
        Assert.Contains("accounts", Assert.Single(twice.RefreshesSpentTwice(Link, TimeSpan.FromHours(1))), StringComparison.Ordinal);
        Assert.Empty(apart.RefreshesSpentTwice(Link, TimeSpan.FromHours(1)));
        Assert.Empty(faulted.RefreshesSpentTwice(Link, TimeSpan.FromHours(1)));
    }
}

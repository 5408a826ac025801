using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Storage;

public sealed class RangeScanTests(AzuriteTable fixture) : IClassFixture<AzuriteTable>
{
    private static readonly string[] Select = ["RowKey", "N"];

    public static TheoryData<string, int> IdShapes => new()
    {
        { "uuid", 1_500 },     // MoneyKit's ids: lowercase hex and dashes
        { "base62", 1_500 },   // the sandbox's: "txn_" + base62
        { "uuid", 1_000 },     // exactly one full page
        { "base62", 7 },       // less than a page
    };

    [Theory]
    [MemberData(nameof(IdShapes))]
    public async Task Read_ReturnsEveryRowOfThePrefixExactlyOnce_AndNothingElse(string shape, int count)
    {
        var pk = AzuriteTable.NewPartition();
        var random = new Random(count);
        var ids = Enumerable.Range(0, count).Select(_ => Id(shape, random)).Distinct().ToList();
        await InsertAsync(pk, ids.Select(id => "tx_" + TableKeys.ForValue(id)));
        await InsertAsync(pk, ["acct_a", "evt_b", "tw", "tx", "tx^", "tx`"]); // around the prefix, never read
        var (table, counter) = CountingTable();

        var rows = await RangeScan.ReadAsync(table, pk, "tx_", Select, e => e.RowKey, CancellationToken.None);

        Assert.Equal(ids.Select(id => "tx_" + TableKeys.ForValue(id)).Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
        if (count > 1_000)
        {
            // First page, then the rest as RangeScan.Parts ranges read at once (a single scan would need 2 requests): the
            // counter holds each range's first request until all of them were sent, which only concurrent reads get past.
            Assert.Equal(1 + RangeScan.Parts, counter.Requests);
            Assert.True(counter.RangesMetAtOnce, "the ranges were not requested at once");
        }
    }

    [Fact]
    public async Task Read_KeysUnlikeTheFirstPage_AreStillEachReadOnce()
    {
        // The first page teaches a hex alphabet; later keys are escaped, longer, or use characters it never showed.
        var pk = AzuriteTable.NewPartition();
        var random = new Random(7);
        var keys = Enumerable.Range(0, 1_100).Select(_ => "tx_0" + Id("uuid", random)).Distinct().ToList();
        keys.AddRange(["tx_" + TableKeys.ForValue("ü-ß"), "tx_zzz", "tx_Z", "tx_~7E", "tx_1", "tx_~sha256~AB", "tx_" + new string('y', 300)]);
        await InsertAsync(pk, keys);

        var rows = await RangeScan.ReadAsync(fixture.Table, pk, "tx_", Select, e => e.RowKey, CancellationToken.None);

        Assert.Equal(keys.Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Split_CutsTheRestOfAUuidRangeInTheMiddleOfTheHexAlphabet()
    {
        var random = new Random(1);
        var page = Enumerable.Range(0, 10_000).Select(_ => "tx_" + Id("uuid", random)).Order(StringComparer.Ordinal).Take(1_000).ToList();

        var bound = Assert.Single(RangeScan.Split(page, "tx`", 2));

        // The page holds about the first 10 % (first hex digit 0 and part of 1); the rest is cut near its middle.
        Assert.Equal(4, bound.Length);
        Assert.True(string.CompareOrdinal(bound, page[^1]) > 0);
        Assert.InRange(bound[3], '8', '9');
    }

    [Fact]
    public void Split_FindsThePositionPastTheSharedPrefix()
    {
        var random = new Random(2);
        var page = Enumerable.Range(0, 10_000).Select(_ => "tx_" + Id("base62", random)).Order(StringComparer.Ordinal).Take(1_000).ToList();

        var bounds = RangeScan.Split(page, "tx`", 3);

        Assert.Equal(2, bounds.Count);
        Assert.All(bounds, b => Assert.StartsWith("tx_txn_", b, StringComparison.Ordinal));
        Assert.All(bounds, b => Assert.Equal("tx_txn_".Length + 1, b.Length));
        Assert.True(string.CompareOrdinal(bounds[0], page[^1]) > 0 && string.CompareOrdinal(bounds[1], bounds[0]) > 0);
    }

    [Theory]
    [InlineData("tx_a", "tx_a")]          // one key twice: nothing varies
    [InlineData("tx_a", "tx_ab")]         // the last key ends where the keys agree
    [InlineData("tx_aa", "tx_ab")]        // nothing above 'b' was ever seen
    public void Split_WithoutALearnedAlphabet_LeavesTheRestWhole(string first, string last) =>
        Assert.Empty(RangeScan.Split([first, last], "tx`", 2));

    [Fact]
    public void Split_NeverReachesTheUpperBound()
    {
        string[] page = ["tx_a0", "tx_a1", "tx_a2", "tx_az", "tx_b`"];

        Assert.All(RangeScan.Split(page, "tx_b~", 4), b => Assert.True(string.CompareOrdinal(b, "tx_b~") < 0 && string.CompareOrdinal(b, "tx_b`") > 0));
    }

    private static string Id(string shape, Random random)
    {
        if (shape == "uuid")
        {
            Span<byte> bytes = stackalloc byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes).ToString();
        }

        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        return "txn_" + string.Concat(Enumerable.Range(0, 22).Select(_ => alphabet[random.Next(alphabet.Length)]));
    }

    private async Task InsertAsync(string pk, IEnumerable<string> rowKeys)
    {
        foreach (var batch in rowKeys.Select((k, i) => new TableEntity(pk, k) { ["N"] = i }).Chunk(100))
        {
            await fixture.Table.SubmitCheckedAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)));
        }
    }

    private (TableClient Table, RequestCounter Counter) CountingTable()
    {
        var counter = new RequestCounter();
        var options = BridgeTables.CreateOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        return (new TableServiceClient(TestStorage.ConnectionString, options).GetTableClient(fixture.Table.Name), counter);
    }

    /// <summary>
    /// Counts requests, and holds the requests after the first until <see cref="RangeScan.Parts"/> of them are waiting
    /// (at most 10 s): met only when the ranges are requested at once, whatever the timing of the machine.
    /// </summary>
    private sealed class RequestCounter : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource allSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int requests;
        private bool waitedInVain;

        public int Requests => Volatile.Read(ref requests);

        public bool RangesMetAtOnce => allSent.Task.IsCompletedSuccessfully && !Volatile.Read(ref waitedInVain);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The tables here are used asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var n = Interlocked.Increment(ref requests);
            if (n == 1 + RangeScan.Parts)
            {
                allSent.TrySetResult();
            }
            else if (n > 1 && n < 1 + RangeScan.Parts)
            {
                await allSent.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (!allSent.Task.IsCompleted)
                {
                    Volatile.Write(ref waitedInVain, true);
                }
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}

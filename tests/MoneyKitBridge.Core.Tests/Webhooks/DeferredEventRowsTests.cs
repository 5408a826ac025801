using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Core.Webhooks;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Core.Tests.Webhooks;

/// <summary>
/// A state change is acknowledged after one write (the state row, which records it), and its event row follows in the
/// background (<see cref="DeferredEventRows"/>); deduplication holds at every point of that (Azurite; links from the sandbox).
/// </summary>
public sealed class DeferredEventRowsTests
{
    private static MoneyKitWebhookEvent StateChange(string linkId, string key, DateTimeOffset at, string state = "connected", string? error = null) =>
        WebhookProcessorTests.Event(linkId, key, at, state: state, error: error);

    [Fact]
    public async Task An_applied_state_change_is_answered_after_one_write_while_its_event_row_is_held_back()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var recorder = new WriteRecorder();
        var tables = BridgeTables.Connect(TestStorage.ConnectionString, bed.Tables.Prefix, Options(recorder));
        var states = new LinkStateStore(tables, bed.Clock, Microsoft.Extensions.Options.Options.Create(new LinkStateOptions()));
        await using var processor = new WebhookProcessor(tables, states, bed.Lifecycle, bed.Syncs, Microsoft.Extensions.Options.Options.Create(bed.Options), bed.Clock, NullLogger<WebhookProcessor>.Instance);
        var at = bed.Clock.GetUtcNow().AddSeconds(1);
        var e = StateChange(linkId, "held-back", at, "error", "auth_expired");

        var result = await processor.ProcessAsync(e, "dlv_1", 1);

        // Answered with the event row still held at the transport: the only write the answer waited for is the state row's.
        Assert.Equal(WebhookOutcome.Applied, result.Outcome);
        Assert.Equal([$"{LinkRows.Partition(linkId)}/{LinkRows.StateRow}"], recorder.Writes);
        var state = await bed.States.GetAsync(linkId);
        Assert.Equal(("error", "auth_expired", at), (state!.State, state.ErrorCode, state.StateChangedAt));
        Assert.Equal(["held-back"], state.AppliedStateChanges.Select(c => c.IdempotencyKey));
        Assert.Null(await bed.Tables.States.GetEntityIfExistsAsync<TableEntity>(LinkRows.Partition(linkId), LinkRows.Event("held-back")) is { HasValue: true } r ? r.Value : null);

        // A redelivery now, in this process and in another one, is a duplicate and changes nothing.
        Assert.Equal(WebhookOutcome.Duplicate, (await processor.ProcessAsync(e, "dlv_2", 2)).Outcome);
        Assert.Equal(WebhookOutcome.Duplicate, (await bed.Processor.ProcessAsync(e, "dlv_3", 3)).Outcome);
        Assert.Equal(state.Version, (await bed.States.GetAsync(linkId))!.Version);

        recorder.Release();
        await processor.WhenRecordedAsync();
        var row = await bed.KeyRowAsync(linkId, "held-back");
        Assert.Equal(("applied", "dlv_1", "error"), (row!.GetString("Outcome"), row.GetString("DeliveryToken"), row.GetString("State")));
    }

    [Fact]
    public async Task A_redelivery_after_its_event_left_the_state_rows_list_is_still_a_duplicate()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var at = bed.Clock.GetUtcNow();
        var first = StateChange(linkId, "first", at.AddSeconds(1), "error", "auth_expired");
        Assert.Equal(WebhookOutcome.Applied, (await bed.Processor.ProcessAsync(first, "dlv_1", 1)).Outcome);
        for (var i = 0; i < AppliedStateChange.Kept + 2; i++)
        {
            Assert.Equal(WebhookOutcome.Applied, (await bed.Processor.ProcessAsync(StateChange(linkId, $"later-{i}", at.AddSeconds(2 + i)), $"dlv_l{i}", 1)).Outcome);
        }

        await bed.Processor.WhenRecordedAsync();
        var before = await bed.States.GetAsync(linkId);
        Assert.Equal(AppliedStateChange.Kept, before!.AppliedStateChanges.Count);
        Assert.DoesNotContain("first", before.AppliedStateChanges.Select(c => c.IdempotencyKey));

        Assert.Equal(WebhookOutcome.Duplicate, (await bed.Processor.ProcessAsync(first, "dlv_again", 2)).Outcome);

        var after = await bed.States.GetAsync(linkId);
        Assert.Equal((before.Version, "connected"), (after!.Version, after.State));
        Assert.Equal("dlv_1", (await bed.KeyRowAsync(linkId, "first"))!.GetString("DeliveryToken"));
        Assert.Equal(AppliedStateChange.Kept + 3, (await bed.EventRowsAsync(linkId)).Count(r => r.GetString("Outcome") == "applied"));
    }

    [Fact]
    public async Task When_the_event_row_was_lost_the_state_rows_record_still_refuses_the_redelivery()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var e = StateChange(linkId, "lost-row", bed.Clock.GetUtcNow().AddSeconds(1), "error", "institution_error");
        Assert.Equal(WebhookOutcome.Applied, (await bed.Processor.ProcessAsync(e, "dlv_1", 1)).Outcome);
        await bed.Processor.WhenRecordedAsync();

        // As after a crash between the answer and the background write.
        await bed.Tables.States.DeleteEntityAsync(LinkRows.Partition(linkId), LinkRows.Event("lost-row"));
        var before = await bed.States.GetAsync(linkId);

        Assert.Equal(WebhookOutcome.Duplicate, (await bed.Processor.ProcessAsync(e, "dlv_2", 2)).Outcome);
        Assert.Equal(before!.Version, (await bed.States.GetAsync(linkId))!.Version);
    }

    [Fact]
    public async Task A_burst_larger_than_the_state_rows_list_writes_the_overflow_with_the_state_and_every_event_once()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var at = bed.Clock.GetUtcNow();
        var burst = Enumerable.Range(0, 40).Select(i => StateChange(linkId, $"burst-{i}", at.AddSeconds(1 + i))).ToList();

        var results = await Task.WhenAll(burst.Concat(burst).Select((e, i) => bed.Processor.ProcessAsync(e, $"dlv_{i}", i < burst.Count ? 1 : 2)));

        Assert.Equal(40, results.Count(r => r.Outcome is WebhookOutcome.Applied or WebhookOutcome.Stale));
        Assert.Equal(40, results.Count(r => r.Outcome == WebhookOutcome.Duplicate));
        var rows = await bed.EventRowsAsync(linkId);
        Assert.Equal(burst.Select(e => e.WebhookIdempotencyKey).Order(StringComparer.Ordinal), rows.Select(r => r.GetString("IdempotencyKey")).Order(StringComparer.Ordinal));
        Assert.Equal(at.AddSeconds(40), (await bed.States.GetAsync(linkId))!.StateChangedAt);
    }

    [Fact]
    public async Task A_state_write_that_landed_though_its_answer_was_lost_is_still_applied_and_recorded()
    {
        await using var bed = await WebhookTestBed.StartAsync();
        var linkId = await bed.CreateLinkAsync();
        var loser = new FirstStateAnswerLost();
        var options = BridgeTables.CreateOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.AddPolicy(loser, HttpPipelinePosition.PerRetry);
        var tables = BridgeTables.Connect(TestStorage.ConnectionString, bed.Tables.Prefix, options);
        var states = new LinkStateStore(tables, bed.Clock, Microsoft.Extensions.Options.Options.Create(new LinkStateOptions()));
        await using var processor = new WebhookProcessor(tables, states, bed.Lifecycle, bed.Syncs, Microsoft.Extensions.Options.Options.Create(bed.Options), bed.Clock, NullLogger<WebhookProcessor>.Instance);
        var at = bed.Clock.GetUtcNow().AddSeconds(1);

        // The SDK retries the lost answer's request, which meets the row's new ETag (412).
        var result = await processor.ProcessAsync(StateChange(linkId, "landed", at, "error", "auth_expired"), "dlv_1", 1);

        Assert.True(loser.Lost);
        Assert.Equal(WebhookOutcome.Applied, result.Outcome);
        await processor.WhenRecordedAsync();
        Assert.Equal("applied", (await bed.KeyRowAsync(linkId, "landed"))!.GetString("Outcome"));
        Assert.Equal(WebhookOutcome.Duplicate, (await processor.ProcessAsync(StateChange(linkId, "landed", at, "error", "auth_expired"), "dlv_2", 2)).Outcome);
    }

    private static TableClientOptions Options(HttpPipelinePolicy policy)
    {
        var options = BridgeTables.CreateOptions();
        options.AddPolicy(policy, HttpPipelinePosition.PerCall);
        return options;
    }

    /// <summary>Lets the first write of a state row reach the service, then loses its answer (as a dropped connection would).</summary>
    private sealed class FirstStateAnswerLost : HttpPipelinePolicy
    {
        private int lost;

        public bool Lost => Volatile.Read(ref lost) == 1;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The tables here are used asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (message.Request.Method != RequestMethod.Get
                && Uri.UnescapeDataString(message.Request.Uri.ToUri().AbsolutePath).Contains("RowKey='" + LinkRows.StateRow + "'", StringComparison.Ordinal)
                && Interlocked.CompareExchange(ref lost, 1, 0) == 0)
            {
                throw new IOException("The answer was lost.");
            }
        }
    }

    /// <summary>Records the row of every write, and holds writes of event rows until <see cref="Release"/>.</summary>
    private sealed class WriteRecorder : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<string> writes = new();

        /// <summary>The rows whose writes have completed (partition/row, in order), until <see cref="Release"/>.</summary>
        public IReadOnlyList<string> Writes => [.. writes];

        public void Release() => released.TrySetResult();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The tables here are used asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var row = message.Request.Method == RequestMethod.Get ? null : Row(message.Request.Uri.ToUri());
            if (row is not null && row.Contains("/" + LinkRows.EventPrefix, StringComparison.Ordinal))
            {
                await released.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await ProcessNextAsync(message, pipeline);
            if (row is not null && !released.Task.IsCompleted)
            {
                writes.Enqueue(row);
            }
        }

        /// <summary>"partition/row" of a request addressed to one entity (<c>table(PartitionKey='..',RowKey='..')</c>).</summary>
        private static string? Row(Uri uri)
        {
            var path = Uri.UnescapeDataString(uri.AbsolutePath);
            var open = path.IndexOf("(PartitionKey='", StringComparison.Ordinal);
            var middle = path.IndexOf("',RowKey='", StringComparison.Ordinal);
            return open < 0 || middle < 0 || !path.EndsWith("')", StringComparison.Ordinal)
                ? null
                : path[(open + 15)..middle].Replace("''", "'", StringComparison.Ordinal) + "/" + path[(middle + 10)..^2].Replace("''", "'", StringComparison.Ordinal);
        }
    }
}

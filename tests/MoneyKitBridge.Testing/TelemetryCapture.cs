using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MoneyKitBridge.Testing;

/// <summary>One measurement the bridge's meter recorded, with the trace it was recorded in.</summary>
public sealed record CapturedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags, ActivityTraceId TraceId)
{
    public string? Tag(string key) => Tags.TryGetValue(key, out var value) ? value?.ToString() : null;
}

/// <summary>
/// Collects what the bridge's meter (<c>MoneyKitBridge</c>) records while a test runs. Tests run in parallel in one
/// process and the instruments are static, so a test isolates its own measurements by trace: <see cref="Begin"/> starts
/// a root activity, and <see cref="Mine"/> returns only measurements recorded under it (the bridge's own activities —
/// sampled by this capture — carry the trace on, including into background syncs).
/// </summary>
public sealed class TelemetryCapture : IDisposable
{
    private const string SourceName = "MoneyKitBridge";
    private readonly MeterListener meters = new();
    private readonly ActivityListener activities;
    private readonly ConcurrentQueue<CapturedMeasurement> measured = new();
    private readonly Activity root;

    private TelemetryCapture(string testName)
    {
        activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(activities);
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SourceName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        meters.Start();
        // Sampled, so that an OpenTelemetry tracer provider (parent-based sampling) records the bridge's activities under it.
        root = new Activity(testName).SetIdFormat(ActivityIdFormat.W3C);
        root.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        root.Start();
    }

    /// <summary>The trace this test's actions run in.</summary>
    public ActivityTraceId TraceId => root.TraceId;

    /// <summary>Starts capturing and a root activity for this test (the current activity of the calling flow).</summary>
    public static TelemetryCapture Begin(string testName) => new(testName);

    /// <summary>Measurements of <paramref name="instrument"/> recorded in this test's trace.</summary>
    public List<CapturedMeasurement> Mine(string instrument) =>
        measured.Where(m => m.Instrument == instrument && m.TraceId == TraceId).ToList();

    /// <summary>Sum of the values of <paramref name="instrument"/> in this test's trace whose tags include every pair of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Mine(instrument).Where(m => tags.All(t => m.Tag(t.Key) == t.Value)).Sum(m => m.Value);

    public void Dispose()
    {
        root.Stop();
        meters.Dispose();
        activities.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        measured.Enqueue(new CapturedMeasurement(instrument.Name, value, copy, Activity.Current?.TraceId ?? default));
    }
}
